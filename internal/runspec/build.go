package runspec

import (
	"fmt"
	"path"
	"slices"

	mobyseccomp "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/bundle"
)

// DefaultPath is Docker's PATH for Linux containers.
const DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Docker's masked and read-only paths.
var (
	MaskedPaths = []string{
		"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
	}
	ReadonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}
)

// Build produces the OCI spec Docker 20.10 would generate for o, for a
// container whose root filesystem is rootfs and whose ID is id. Docker's
// libnetwork hook is not copied; the cgroup path is /ward/ID; where the
// host cannot grant a capability (--privileged, --cap-add ALL) it is left
// out rather than failing as Docker does. Errors are one line naming the
// flag at fault.
func Build(o Options, rootfs string, id string) (*specs.Spec, error) {
	if id == "" {
		return nil, fmt.Errorf("build spec: empty container id")
	}
	o, profileSeccomp, err := applyProfile(o)
	if err != nil {
		return nil, err
	}
	host := o.Host
	if host == nil {
		if host, err = ProbeHost(); err != nil {
			return nil, err
		}
	}
	switch o.Network {
	case "", "none", "host":
	default:
		if o.NetnsPath == "" {
			return nil, fmt.Errorf("--network %q: ward supports none and host", o.Network)
		}
	}
	switch o.PID {
	case "", "host":
	default:
		return nil, fmt.Errorf("--pid %q: ward supports host", o.PID)
	}
	switch o.IPC {
	case "", "private", "host":
	default:
		return nil, fmt.Errorf("--ipc %q: ward supports private and host", o.IPC)
	}
	sec, err := ParseSecurityOpts(o.SecurityOpt)
	if err != nil {
		return nil, err
	}
	apparmor, err := linuxSecurityModules(sec, host)
	if err != nil {
		return nil, err
	}
	privs, err := leastPrivilege(o, host)
	if err != nil {
		return nil, err
	}
	if err := checkUserns(o); err != nil {
		return nil, err
	}

	hostname := o.Hostname
	if hostname == "" {
		// Docker: the host's name with --network host, else the ID's first 12 characters.
		if o.Network == "host" {
			hostname = host.Hostname
		} else {
			hostname = id
			if len(hostname) > 12 {
				hostname = hostname[:12]
			}
		}
	}

	args, err := command(o)
	if err != nil {
		return nil, err
	}
	if args, err = withInit(o, args); err != nil {
		return nil, err
	}
	cwd := o.Workdir
	if cwd == "" {
		cwd = o.Image.WorkingDir
	}
	if cwd == "" {
		cwd = "/"
	}
	if !path.IsAbs(cwd) {
		return nil, fmt.Errorf("%s %q: the working directory must be an absolute path", flagOrImage(o.Workdir, "-w", "WorkingDir"), cwd)
	}

	userSpec := o.User
	if userSpec == "" {
		userSpec = o.Image.User
	}
	files := o.Files
	if files == nil {
		files = RootfsFiles(rootfs)
	}
	usr, err := resolveUserFiles(files, userSpec, flagOrImage(o.User, "--user", "User"))
	if err != nil {
		return nil, err
	}
	if err := CheckEnv(o.Image.Env, "the image's config Env"); err != nil {
		return nil, err
	}
	extra, err := AdditionalGroups(files, o.GroupAdd)
	if err != nil {
		return nil, err
	}
	for _, g := range extra {
		// Docker's container sees a group once, though named twice.
		if !slices.Contains(usr.AdditionalGids, g) {
			usr.AdditionalGids = append(usr.AdditionalGids, g)
		}
	}
	caps, err := Capabilities(o.CapAdd, o.CapDrop, o.Privileged, host)
	if err != nil {
		return nil, err
	}
	// Docker gives a non-root user only the bounding set, as execve would.
	capSets := &specs.LinuxCapabilities{Bounding: caps}
	if usr.UID == 0 {
		capSets.Effective, capSets.Permitted = caps, caps
	}

	var rlimits []specs.POSIXRlimit
	for _, u := range o.Ulimits {
		r, err := ParseUlimit(u)
		if err != nil {
			return nil, err
		}
		rlimits = append(rlimits, r)
	}

	res, err := resources(o, host)
	if err != nil {
		return nil, err
	}
	ms, err := mounts(o)
	if err != nil {
		return nil, err
	}

	oomScoreAdj := 0
	s := &specs.Spec{
		Version: bundle.SpecVersion,
		Process: &specs.Process{
			Terminal:        o.TTY,
			User:            usr,
			Args:            args,
			Env:             environment(o, hostname),
			Cwd:             cwd,
			Capabilities:    capSets,
			Rlimits:         rlimits,
			NoNewPrivileges: sec.NoNewPrivileges,
			OOMScoreAdj:     &oomScoreAdj,
			ApparmorProfile: apparmor,
		},
		Root:     &specs.Root{Path: rootfs, Readonly: o.ReadOnly},
		Hostname: hostname,
		Mounts:   ms,
		Linux: &specs.Linux{
			Sysctl:      map[string]string{},
			Resources:   res,
			CgroupsPath: "/ward/" + id,
			Namespaces:  namespaces(o),
		},
	}
	if len(o.UIDMappings) > 0 {
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace, Path: o.UsernsPath})
		s.Linux.UIDMappings, s.Linux.GIDMappings = o.UIDMappings, o.GIDMappings
	}
	if o.Network != "host" {
		// Docker lets unprivileged users bind low ports and ping inside a
		// private network namespace.
		s.Linux.Sysctl["net.ipv4.ip_unprivileged_port_start"] = "0"
		s.Linux.Sysctl["net.ipv4.ping_group_range"] = "0 2147483647"
		if len(o.GIDMappings) > 0 {
			// The kernel takes only groups mapped in the namespace.
			s.Linux.Sysctl["net.ipv4.ping_group_range"] = pingGroupRange(o.GIDMappings)
		}
	}
	privs.apply(s, o.Privileged)
	if o.Privileged {
		s.Linux.Devices = append([]specs.LinuxDevice(nil), host.Devices...)
		return s, nil
	}
	s.Linux.MaskedPaths = append([]string(nil), MaskedPaths...)
	s.Linux.ReadonlyPaths = append([]string(nil), ReadonlyPaths...)
	switch sec.Seccomp {
	case "":
		if profileSeccomp != "" {
			if s.Linux.Seccomp, err = mobyseccomp.LoadProfile(profileSeccomp, s); err != nil {
				return nil, fmt.Errorf("--profile: seccomp: %w", err)
			}
		} else if s.Linux.Seccomp, err = DockerSeccomp(caps); err != nil {
			return nil, err
		}
	case "unconfined":
	default:
		if s.Linux.Seccomp, err = loadProfile(sec.Seccomp, s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// command joins entrypoint and command as Docker does: --entrypoint
// replaces the image's entrypoint and drops its Cmd; arguments replace
// the image's Cmd.
func command(o Options) ([]string, error) {
	entrypoint, cmd := o.Image.Entrypoint, o.Image.Cmd
	if o.Entrypoint != nil {
		entrypoint, cmd = nil, nil
		if *o.Entrypoint != "" {
			entrypoint = []string{*o.Entrypoint}
		}
	}
	if len(o.Cmd) > 0 {
		cmd = o.Cmd
	}
	args := append(append([]string(nil), entrypoint...), cmd...)
	if len(args) == 0 {
		return nil, fmt.Errorf("no command specified: the image has no Entrypoint or Cmd and none was given")
	}
	return args, nil
}

// environment is Docker's: PATH, HOSTNAME and TERM=xterm with a terminal
// first, then the user's -e values followed by the image's variables they
// do not override, each replacing an earlier value of the same name; a
// bare NAME unsets it.
func environment(o Options, hostname string) []string {
	env := []string{DefaultPath, "HOSTNAME=" + hostname}
	if o.TTY {
		env = append(env, "TERM=xterm")
	}
	merged := append([]string(nil), o.Env...)
	for _, ie := range o.Image.Env {
		if !hasKey(o.Env, envKey(ie)) {
			merged = append(merged, ie)
		}
	}
	index := map[string]int{}
	for i, e := range env {
		index[envKey(e)] = i
	}
	for _, e := range merged {
		k := envKey(e)
		i, ok := index[k]
		switch {
		case k == e && ok: // NAME without "=": unset
			env[i] = ""
		case k == e:
		case ok:
			env[i] = e
		default:
			index[k] = len(env)
			env = append(env, e)
		}
	}
	out := env[:0]
	for _, e := range env {
		if e != "" {
			out = append(out, e)
		}
	}
	return out
}

func envKey(e string) string {
	for i := 0; i < len(e); i++ {
		if e[i] == '=' {
			return e[:i]
		}
	}
	return e
}

func hasKey(env []string, key string) bool {
	for _, e := range env {
		if envKey(e) == key {
			return true
		}
	}
	return false
}

// namespaces are Docker's (mount, network, uts, pid, ipc) minus those
// shared with the host.
func namespaces(o Options) []specs.LinuxNamespace {
	var out []specs.LinuxNamespace
	for _, ns := range []struct {
		typ  specs.LinuxNamespaceType
		host bool
	}{
		{specs.MountNamespace, false},
		{specs.NetworkNamespace, o.Network == "host"},
		{specs.UTSNamespace, false},
		{specs.PIDNamespace, o.PID == "host"},
		{specs.IPCNamespace, o.IPC == "host"},
	} {
		if !ns.host {
			out = append(out, specs.LinuxNamespace{Type: ns.typ})
		}
		if ns.typ == specs.NetworkNamespace && o.NetnsPath != "" && o.Network != "host" {
			out[len(out)-1].Path = o.NetnsPath // joined, not new
		}
	}
	return out
}
