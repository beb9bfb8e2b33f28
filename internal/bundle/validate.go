package bundle

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// nsTypes maps the spec's namespace names to their clone flags.
var nsTypes = map[specs.LinuxNamespaceType]uintptr{
	specs.PIDNamespace:     unix.CLONE_NEWPID,
	specs.NetworkNamespace: unix.CLONE_NEWNET,
	specs.MountNamespace:   unix.CLONE_NEWNS,
	specs.IPCNamespace:     unix.CLONE_NEWIPC,
	specs.UTSNamespace:     unix.CLONE_NEWUTS,
	specs.UserNamespace:    unix.CLONE_NEWUSER,
	specs.CgroupNamespace:  unix.CLONE_NEWCGROUP,
}

// CloneFlag returns the clone(2) flag of a namespace type, or 0 if the
// type is unknown.
func CloneFlag(t specs.LinuxNamespaceType) uintptr { return nsTypes[t] }

// Validate checks what the runtime needs before it creates anything, so a
// bad config fails with one clear error and leaves nothing behind. dir is
// the bundle directory.
func Validate(dir string, s *specs.Spec) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
	}
	if s.Version == "" {
		return bad("ociVersion is empty")
	}
	if s.Root == nil || s.Root.Path == "" {
		return bad("root.path is not set")
	}
	rootfs := RootfsPath(dir, s)
	if fi, err := os.Stat(rootfs); err != nil {
		return bad("rootfs (%s) does not exist", rootfs)
	} else if !fi.IsDir() {
		return bad("rootfs (%s) is not a directory", rootfs)
	}
	if s.Process == nil {
		return bad("process is not set")
	}
	if len(s.Process.Args) == 0 || s.Process.Args[0] == "" {
		return bad("process.args must not be empty")
	}
	if s.Process.Cwd != "" && !filepath.IsAbs(s.Process.Cwd) {
		return bad("process.cwd %q is not an absolute path", s.Process.Cwd)
	}
	for _, rl := range s.Process.Rlimits {
		if _, ok := Rlimits[rl.Type]; !ok {
			return bad("unknown rlimit %q", rl.Type)
		}
		if rl.Soft > rl.Hard {
			return bad("rlimit %s: soft limit %d is above the hard limit %d", rl.Type, rl.Soft, rl.Hard)
		}
	}
	if s.Linux == nil {
		return bad("linux is not set")
	}
	seen := map[specs.LinuxNamespaceType]bool{}
	hasNS := func(t specs.LinuxNamespaceType) bool { return seen[t] }
	for _, ns := range s.Linux.Namespaces {
		if _, ok := nsTypes[ns.Type]; !ok {
			return bad("unknown namespace type %q", ns.Type)
		}
		if seen[ns.Type] {
			return bad("namespace %q is listed twice", ns.Type)
		}
		seen[ns.Type] = true
		if ns.Path != "" {
			if err := checkNamespacePath(ns); err != nil {
				return bad("%v", err)
			}
		}
	}
	if !hasNS(specs.UserNamespace) && (len(s.Linux.UIDMappings) > 0 || len(s.Linux.GIDMappings) > 0) {
		return bad("uidMappings and gidMappings need a user namespace")
	}
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == specs.UserNamespace && ns.Path == "" && (len(s.Linux.UIDMappings) == 0 || len(s.Linux.GIDMappings) == 0) {
			return bad("a new user namespace needs uidMappings and gidMappings")
		}
		if ns.Type == specs.UserNamespace && ns.Path == "" && (!mapsRoot(s.Linux.UIDMappings) || !mapsRoot(s.Linux.GIDMappings)) {
			return bad("the user namespace's uidMappings and gidMappings must map container id 0")
		}
	}
	// A joined uts namespace may be given a hostname too (runc's rule):
	// it is the container's, shared with whoever it was joined from.
	if (s.Hostname != "" || s.Domainname != "") && !seen[specs.UTSNamespace] {
		return bad("cannot set the hostname or domainname without a uts namespace")
	}
	for _, m := range s.Mounts {
		if !filepath.IsAbs(m.Destination) {
			return bad("mount destination %q is not an absolute path", m.Destination)
		}
	}
	for _, p := range append(append([]string{}, s.Linux.MaskedPaths...), s.Linux.ReadonlyPaths...) {
		if !filepath.IsAbs(p) {
			return bad("path %q in maskedPaths or readonlyPaths is not absolute", p)
		}
	}
	for k := range s.Linux.Sysctl {
		if err := checkSysctl(k, seen); err != nil {
			return bad("%v", err)
		}
	}
	switch s.Linux.RootfsPropagation {
	case "", "private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable":
	default:
		return bad("unknown rootfsPropagation %q", s.Linux.RootfsPropagation)
	}
	for _, d := range s.Linux.Devices {
		if !filepath.IsAbs(d.Path) || !strings.HasPrefix(filepath.Clean(d.Path), "/dev/") {
			return bad("device path %q is not under /dev", d.Path)
		}
		switch d.Type {
		case "c", "u", "b", "p":
		default:
			return bad("device %s has unknown type %q", d.Path, d.Type)
		}
	}
	return nil
}

// nsKinds maps each namespace type to the type NS_GET_NSTYPE reports.
var nsKinds = map[specs.LinuxNamespaceType]int{
	specs.PIDNamespace: unix.CLONE_NEWPID, specs.NetworkNamespace: unix.CLONE_NEWNET,
	specs.MountNamespace: unix.CLONE_NEWNS, specs.IPCNamespace: unix.CLONE_NEWIPC,
	specs.UTSNamespace: unix.CLONE_NEWUTS, specs.UserNamespace: unix.CLONE_NEWUSER,
	specs.CgroupNamespace: unix.CLONE_NEWCGROUP,
}

// checkNamespacePath makes sure a namespace to join exists and is of the
// type the config says, so a wrong path fails at create, not half-way.
//
// The path comes from config.json, so it is opened O_PATH first (which
// opens nothing: no FIFO to block on, no device whose open has effects,
// such as /dev/watchdog) and only a namespace file (nsfs) is opened for
// real, through that descriptor.
func checkNamespacePath(ns specs.LinuxNamespace) error {
	pfd, err := unix.Open(ns.Path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("%s namespace path %s: %w", ns.Type, ns.Path, err)
	}
	defer unix.Close(pfd)
	var sfs unix.Statfs_t
	if err := unix.Fstatfs(pfd, &sfs); err != nil || sfs.Type != unix.NSFS_MAGIC {
		return fmt.Errorf("%s namespace path %s is not a namespace", ns.Type, ns.Path)
	}
	fd, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", pfd), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("%s namespace path %s: %w", ns.Type, ns.Path, err)
	}
	defer unix.Close(fd)
	kind, err := unix.IoctlRetInt(fd, unix.NS_GET_NSTYPE)
	if err != nil {
		return fmt.Errorf("%s namespace path %s is not a namespace", ns.Type, ns.Path)
	}
	if kind != nsKinds[ns.Type] {
		return fmt.Errorf("%s namespace path %s is a namespace of another type", ns.Type, ns.Path)
	}
	return nil
}

// Rlimits maps the spec's rlimit names to their resource numbers.
var Rlimits = map[string]int{
	"RLIMIT_AS": unix.RLIMIT_AS, "RLIMIT_CORE": unix.RLIMIT_CORE, "RLIMIT_CPU": unix.RLIMIT_CPU,
	"RLIMIT_DATA": unix.RLIMIT_DATA, "RLIMIT_FSIZE": unix.RLIMIT_FSIZE, "RLIMIT_LOCKS": unix.RLIMIT_LOCKS,
	"RLIMIT_MEMLOCK": unix.RLIMIT_MEMLOCK, "RLIMIT_MSGQUEUE": unix.RLIMIT_MSGQUEUE, "RLIMIT_NICE": unix.RLIMIT_NICE,
	"RLIMIT_NOFILE": unix.RLIMIT_NOFILE, "RLIMIT_NPROC": unix.RLIMIT_NPROC, "RLIMIT_RSS": unix.RLIMIT_RSS,
	"RLIMIT_RTPRIO": unix.RLIMIT_RTPRIO, "RLIMIT_RTTIME": unix.RLIMIT_RTTIME, "RLIMIT_SIGPENDING": unix.RLIMIT_SIGPENDING,
	"RLIMIT_STACK": unix.RLIMIT_STACK,
}

func mapsRoot(m []specs.LinuxIDMapping) bool {
	for _, e := range m {
		if e.ContainerID == 0 && e.Size > 0 {
			return true
		}
	}
	return false
}

// ipcSysctls are the kernel.* sysctls an ipc namespace owns.
var ipcSysctls = map[string]bool{
	"kernel.msgmax": true, "kernel.msgmnb": true, "kernel.msgmni": true, "kernel.sem": true,
	"kernel.shmall": true, "kernel.shmmax": true, "kernel.shmmni": true, "kernel.shm_rmid_forced": true,
}

// checkSysctl allows only sysctls that belong to a namespace the container
// has (runc's rule): anything else would change the host for everyone.
func checkSysctl(key string, has map[specs.LinuxNamespaceType]bool) error {
	need := specs.LinuxNamespaceType("")
	switch {
	case ipcSysctls[key] || strings.HasPrefix(key, "fs.mqueue."):
		need = specs.IPCNamespace
	case strings.HasPrefix(key, "net."):
		need = specs.NetworkNamespace
	case key == "kernel.hostname" || key == "kernel.domainname":
		need = specs.UTSNamespace
	default:
		return fmt.Errorf("sysctl %q is not namespaced: setting it would change the host", key)
	}
	if !has[need] {
		return fmt.Errorf("sysctl %q needs a %s namespace", key, need)
	}
	return nil
}
