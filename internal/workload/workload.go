// Package workload is the normalized view of "what will run, with what
// privileges". Each reader in this package turns one kind of input (a
// Dockerfile, a compose file, a Kubernetes manifest, an OCI config.json, the
// output of `docker inspect`) into Workloads whose fields hold the effective
// settings, not the spelling: a Dockerfile without USER runs as root, a pod
// securityContext applies to its containers, Docker's default capability set
// applies when nothing is dropped.
//
// The audit rules and the run policies read only this model, so what
// `ward check` reports is what `ward run --policy` enforces.
package workload

import (
	"slices"
	"strings"
)

// Kind names the input a workload was read from. Rules give their fix text per
// kind, because the flag or field that fixes a problem depends on it.
type Kind string

const (
	KindDockerfile Kind = "dockerfile"
	KindCompose    Kind = "compose"
	KindKubernetes Kind = "kubernetes"
	KindOCI        Kind = "oci"     // an OCI runtime bundle's config.json
	KindInspect    Kind = "inspect" // `docker inspect` / `ward inspect` output
	KindImage      Kind = "image"   // an image's config and layers (ward's store, docker-save/OCI tar)
)

// Kinds lists every kind in a stable order.
var Kinds = []Kind{KindDockerfile, KindCompose, KindKubernetes, KindOCI, KindInspect, KindImage}

// Field names a setting whose source line is recorded, so a finding about it
// points at the line that set it (or, when it is absent, at the resource).
type Field string

const (
	FieldUser        Field = "user"
	FieldImage       Field = "image"
	FieldPrivileged  Field = "privileged"
	FieldCapAdd      Field = "capAdd"
	FieldCapDrop     Field = "capDrop"
	FieldNoNewPrivs  Field = "noNewPrivileges"
	FieldReadOnly    Field = "readOnlyRootfs"
	FieldSeccomp     Field = "seccomp"
	FieldHostPID     Field = "hostPID"
	FieldHostIPC     Field = "hostIPC"
	FieldHostUTS     Field = "hostUTS"
	FieldHostNetwork Field = "hostNetwork"
	FieldResources   Field = "resources"
	FieldHealthcheck Field = "healthcheck"
	FieldAppArmor    Field = "apparmor"
	FieldSELinux     Field = "selinux"
	FieldProcMount   Field = "procMount"
	FieldHostProcess Field = "hostProcess"
)

// Seccomp states. A workload with no profile named runs with the runtime's
// default under Docker, compose and OCI-with-a-profile, but unconfined under
// Kubernetes (the kubelet's default is Unconfined).
const (
	SeccompDefault    = "default"    // the runtime's default profile
	SeccompUnconfined = "unconfined" // explicitly disabled
	SeccompAbsent     = "absent"     // not set, and the platform then runs unconfined
	SeccompCustom     = "custom"     // a named or localhost profile
)

// Workload is one container as it would run. Booleans are the effective
// values; a field that an input kind cannot express keeps its zero value and
// the rules that read it do not apply to that kind.
type Workload struct {
	Kind Kind
	// FixKind is the kind whose fix texts a finding gives, when it is not
	// Kind: a ward container is judged from its OCI spec (Kind oci) but
	// fixed with `ward run`'s flags (FixKind inspect).
	FixKind  Kind
	File     string
	Line     int    // line of the resource (the FROM, the service, the container)
	Resource string // e.g. "Deployment/web container app", "service web"

	Image string // image reference as written, empty when unknown (e.g. built)
	User  User

	Privileged      bool
	Capabilities    []string // effective set, upper case without CAP_ prefix
	CapAdd          []string // capabilities added on top of the runtime default
	DropAll         bool     // ALL was dropped before adding back
	NoNewPrivileges bool
	Seccomp         string
	ReadOnlyRootfs  bool
	HostPID         bool
	HostIPC         bool
	HostUTS         bool
	HostNetwork     bool
	Mounts          []Mount
	Devices         []Device // host devices given to the container
	Volumes         []Volume // Kubernetes pod volumes mounted by the container

	// Isolation beyond seccomp. AppArmor and SELinux hold "" (the
	// runtime's default) or a reason they are weakened.
	AppArmor     string // "", "unconfined", "custom"
	SELinux      string // "", "disabled", or "type=..."/"user=..."/"role=..." when set to a non-container value
	ProcUnmasked bool   // /proc and /sys paths the runtime masks are exposed
	Sysctls      []Sysctl
	HostProcess  bool // Windows HostProcess container
	Env          []EnvVar
	Ports        []Port
	Network      NetworkPolicy // egress, see network.go
	// Exposed are the ports an image declares (EXPOSE); they are not
	// published until a runner says so.
	Exposed []string

	MemoryLimit int64 // bytes, 0 when unlimited
	PidsLimit   int64 // 0 when unlimited

	Healthcheck bool // a health check is defined (image or runtime)

	// Build is set for Dockerfiles: how the image is built.
	Build *Build

	// Content is set when ward read the image itself (an image, or a
	// container whose image is in ward's store): what its layers hold.
	Content *ImageContent

	// Trust is set when ward judged the image in its store under a trust
	// policy: its signature verification (see trust.go).
	Trust *Trust

	// Lines records where each field was set, when the reader knows.
	Lines map[Field]int
}

// LineOf returns the line that set f, or the resource's line.
func (w *Workload) LineOf(f Field) int {
	if l, ok := w.Lines[f]; ok && l > 0 {
		return l
	}
	return w.Line
}

func (w *Workload) setLine(f Field, line int) {
	if line <= 0 {
		return
	}
	if w.Lines == nil {
		w.Lines = map[Field]int{}
	}
	w.Lines[f] = line
}

// User is who the container's process runs as.
type User struct {
	Name string // as written: "app", "1000", "1000:1000", "root"; empty when unset
	// NonRootEnforced is set when the platform refuses to start the
	// container as root whatever the image says (Kubernetes runAsNonRoot).
	NonRootEnforced bool
	// BaseDecides is set when nothing in the input names a user, so the
	// image's own USER applies; ward cannot see it and assumes root, as
	// nearly every base image runs as root.
	BaseDecides bool
	// HostUID is the uid the host's kernel sees, when the input says it
	// (an OCI spec: process.user.uid, mapped through linux.uidMappings in
	// a user namespace of its own). When set, it alone decides IsRoot:
	// a name that is an alias of uid 0 is root.
	HostUID *uint32
}

// RootMappedAway reports whether the process is uid 0 inside a user
// namespace that maps it to a host uid other than 0: root inside, an
// unprivileged uid to the host's kernel.
func (u User) RootMappedAway() bool {
	if u.HostUID == nil || *u.HostUID == 0 || u.NonRootEnforced {
		return false
	}
	name, _, _ := strings.Cut(u.Name, ":")
	switch strings.TrimSpace(name) {
	case "0", "root":
		return true
	}
	return false
}

// IsRoot reports whether the process runs as root (uid 0).
func (u User) IsRoot() bool {
	if u.NonRootEnforced {
		return false
	}
	if u.HostUID != nil {
		return *u.HostUID == 0
	}
	name, _, _ := strings.Cut(u.Name, ":")
	switch strings.TrimSpace(name) {
	case "", "0", "root":
		return true
	}
	return false
}

// Mount is a filesystem the container sees from somewhere else.
type Mount struct {
	Type        string // "bind" (a host path) or "volume", "tmpfs"
	Source      string // host path for binds
	Destination string
	ReadOnly    bool
	Line        int
}

// IsHostPath reports whether the mount exposes a path of the host.
func (m Mount) IsHostPath() bool { return m.Type == "bind" }

// Volume is a Kubernetes volume a container mounts, by source type.
type Volume struct {
	Name string
	Type string // "hostPath", "emptyDir", "nfs", ...
	Line int
}

// Sysctl is a kernel parameter set for the container.
type Sysctl struct {
	Name  string
	Value string
	Line  int
}

// Device is a host device node made available in the container.
type Device struct {
	Host      string
	Container string
	Line      int
}

// EnvVar is one environment variable or build argument with a literal value.
type EnvVar struct {
	Name  string
	Value string
	Line  int
	Build bool // ARG rather than ENV
}

// Port is one published port.
type Port struct {
	HostIP        string
	HostPort      string
	ContainerPort string
	Line          int
}

// Build describes how a Dockerfile builds its final image.
type Build struct {
	// Bases are the external images named by FROM in every stage, with
	// their lines; scratch and references to earlier stages are left out.
	Bases []Base
	// FinalBase is the external image the final stage derives from through
	// its chain of FROM <stage>, empty for scratch.
	FinalBase string
	// FinalBaseLine is the line of the FROM that names FinalBase.
	FinalBaseLine int
	// Instructions of the final image: the final stage and the stages it
	// derives from, in build order. Stages only copied from are left out,
	// as nothing of them but the copied files reaches the image.
	Instructions []Instruction
}

// Base is an external image named in a FROM line.
type Base struct {
	Image string
	Line  int
	Stage string
}

// Instruction is one Dockerfile instruction of the final image.
type Instruction struct {
	Command string // lower case: run, add, copy, user, ...
	Args    string // the instruction's text after the command
	Line    int
}

// DefaultCapabilities is the set Docker, containerd and Podman give a
// container when nothing is added or dropped. It includes NET_RAW.
var DefaultCapabilities = []string{
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
	"MKNOD", "NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP",
	"SETUID", "SYS_CHROOT",
}

// AllCapabilities is what a privileged container (or cap_add ALL) gets.
var AllCapabilities = []string{
	"AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "BLOCK_SUSPEND", "BPF",
	"CHECKPOINT_RESTORE", "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER",
	"FSETID", "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE", "LINUX_IMMUTABLE",
	"MAC_ADMIN", "MAC_OVERRIDE", "MKNOD", "NET_ADMIN", "NET_BIND_SERVICE",
	"NET_BROADCAST", "NET_RAW", "PERFMON", "SETFCAP", "SETGID", "SETPCAP",
	"SETUID", "SYS_ADMIN", "SYS_BOOT", "SYS_CHROOT", "SYS_MODULE", "SYS_NICE",
	"SYS_PACCT", "SYS_PTRACE", "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME",
	"SYS_TTY_CONFIG", "SYSLOG", "WAKE_ALARM",
}

// NormalizeCapability turns "cap_net_raw" or "NET_RAW" into "NET_RAW".
func NormalizeCapability(c string) string {
	c = strings.ToUpper(strings.TrimSpace(c))
	return strings.TrimPrefix(c, "CAP_")
}

// EffectiveCapabilities applies drops then adds to the runtime default set, the
// way Docker and the Kubernetes runtimes do. It returns the effective set, the
// normalized additions, and whether ALL was dropped.
func EffectiveCapabilities(add, drop []string) (effective, added []string, dropAll bool) {
	set := map[string]bool{}
	for _, c := range DefaultCapabilities {
		set[c] = true
	}
	for _, c := range drop {
		c = NormalizeCapability(c)
		if c == "ALL" {
			dropAll = true
			clear(set)
			continue
		}
		delete(set, c)
	}
	for _, c := range add {
		c = NormalizeCapability(c)
		if c == "" {
			continue
		}
		added = append(added, c)
		if c == "ALL" {
			for _, a := range AllCapabilities {
				set[a] = true
			}
			continue
		}
		set[c] = true
	}
	for c := range set {
		effective = append(effective, c)
	}
	slices.Sort(effective)
	return effective, added, dropAll
}
