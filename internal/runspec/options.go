// Package runspec turns what `ward run`'s flags say, plus the image's
// config, into the OCI runtime spec Docker 20.10 would generate for the
// same flags: the same capabilities, mounts, masked paths, seccomp
// profile, cgroup device rules, namespaces, user, environment and limits.
// It only builds the spec; writing the bundle and running it is the
// engine's job.
package runspec

import (
	v1 "github.com/google/go-containerregistry/pkg/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Options is what `ward run`'s flags say, in the flags' own spelling so
// that every validation error can name the flag. Build parses and checks
// them; the Parse* functions are exported for callers (inspect output)
// that need the parsed values too.
type Options struct {
	User       string   // --user NAME|UID[:GROUP|GID]; empty: the image's USER
	CapAdd     []string // --cap-add, names with or without CAP_, any case, or ALL
	CapDrop    []string // --cap-drop, same spelling
	Privileged bool     // --privileged
	ReadOnly   bool     // --read-only

	Tmpfs   []string // --tmpfs DEST[:OPTIONS]
	Volumes []string // -v HOST:DEST[:ro|rw][,PROPAGATION]; named volumes are not supported
	Mounts  []string // --mount type=bind|tmpfs,source=...,target=...[,readonly][,bind-propagation=...][,tmpfs-size=...][,tmpfs-mode=...]

	Network  string // --network: "" or "none" (a new netns with only lo) or "host"; any other with NetnsPath
	Hostname string // --hostname; empty: the first 12 characters of the ID
	PID      string // --pid: "" or "host"
	IPC      string // --ipc: "", "private" or "host"

	SecurityOpt []string // --security-opt no-new-privileges[:true|false], seccomp=unconfined|PROFILE.json, apparmor=..., label=...

	// The least-privilege tools, so --privileged is not the only way to
	// one device or one kernel parameter (see leastprivilege.go).
	Devices           []string // --device HOST[:CONTAINER][:PERMISSIONS]
	DeviceCgroupRules []string // --device-cgroup-rule "c 10:229 rwm"
	GroupAdd          []string // --group-add NAME|GID, names looked up in the image's /etc/group
	Sysctls           []string // --sysctl KEY=VALUE, namespaced keys only
	CgroupNS          string   // --cgroupns private|host; "" is Docker's default for the host's cgroup version
	OOMScoreAdj       int      // --oom-score-adj, -1000..1000
	OOMKillDisable    bool     // --oom-kill-disable

	Memory     string // --memory, e.g. 512m
	MemorySwap string // --memory-swap, e.g. 1g or -1
	PidsLimit  *int64 // --pids-limit; nil when not given
	CPUs       string // --cpus, e.g. 1.5
	Ulimits    []string

	// Env is -e and --env-file already read, NAME=VALUE each (a bare NAME
	// unsets an image variable, as Docker's daemon does).
	Env     []string
	Workdir string // -w
	// Entrypoint is --entrypoint: nil when not given, "" to clear the
	// image's entrypoint.
	Entrypoint *string
	Cmd        []string // arguments after the image name
	TTY        bool     // -t
	// Init is --init: InitPath, a static init on the host (Docker's
	// docker-init, which is tini), runs as PID 1 and starts the command.
	Init        bool
	InitPath    string
	Interactive bool // -i; it changes nothing in the spec, only how stdin is wired

	// Userns is --userns: "" or "host" (the host's user namespace), or
	// "auto[:size=N]" (a new one; the engine allocates the range and sets
	// UIDMappings and GIDMappings).
	Userns string
	// UIDMappings and GIDMappings map the container's ids to the host's
	// in a new user namespace; set only with --userns auto.
	UIDMappings, GIDMappings []specs.LinuxIDMapping
	// UsernsPath is a user namespace with those mappings to join rather
	// than make: the one that owns the container's network namespace.
	UsernsPath string

	// NetnsPath is a network namespace to join (a bridge network's, bound
	// by the engine, or another container's).
	NetnsPath string

	// NetworkFiles are host files bind-mounted over /etc/resolv.conf,
	// /etc/hostname and /etc/hosts, as Docker does; empty ones are skipped.
	NetworkFiles NetworkFiles

	// Image is the image's config: its User, Env, Entrypoint, Cmd and
	// WorkingDir are honoured.
	Image v1.Config

	// Files is where --user is resolved (/etc/passwd, /etc/group): nil
	// means the rootfs given to Build; a dry run passes the image's
	// layers, as nothing is mounted.
	Files Files

	// Profile is a learned profile (`ward run --profile`): Build applies
	// it as the equivalent flags, under the ones given (see applyProfile).
	Profile profileOption
	// ProfileMode is how Profile's system calls apply (--profile-mode):
	// "" or enforce, or log (let through, reported: see
	// learnprofile.ModeLog).
	ProfileMode string

	// Host describes the machine (capabilities, devices, hostname, CPUs);
	// nil means ProbeHost. Tests pass a fixed one.
	Host *Host
}

// NetworkFiles are the host paths of a container's resolv.conf, hostname
// and hosts files.
type NetworkFiles struct {
	ResolvConf string
	Hostname   string
	Hosts      string
}
