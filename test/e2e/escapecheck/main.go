// Command escapecheck runs inside a container and tries, one by one, the
// techniques a root process uses to reach the host. It prints one line per
// technique: "NAME blocked ERRNO", "NAME ALLOWED DETAIL" or "NAME
// untried WHY" (what it could not even attempt, which is never counted as
// blocked). With -v /:/host it also aims at the host's files through
// /host. The escape suite in test/e2e starts it and judges the lines.
//
// Modes: no argument runs the checks, "only NAME,NAME" some of them; "whoami" prints the effective uid
// and the capability sets (used after exec of setuid and file-capability
// copies of itself); "writehost PATH" tries to write PATH.
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

type check struct {
	name string
	try  func() (detail string, err error)
}

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "whoami":
			status, _ := os.ReadFile("/proc/self/status")
			for _, l := range strings.Split(string(status), "\n") {
				if strings.HasPrefix(l, "Uid:") || strings.HasPrefix(l, "CapEff:") {
					fmt.Println(l)
				}
			}
			return
		case "writehost":
			err := writeFile(os.Args[2])
			fmt.Println(result("writehost", "wrote "+os.Args[2], err))
			return
		}
	}
	only := map[string]bool{}
	if len(os.Args) > 2 && os.Args[1] == "only" {
		for _, n := range strings.Split(os.Args[2], ",") {
			only[n] = true
		}
	}
	for _, c := range checks() {
		if len(only) > 0 && !only[c.name] {
			continue
		}
		detail, err := c.try()
		fmt.Println(result(c.name, detail, err))
	}
}

// untried marks what could not be attempted.
type untried string

func (u untried) Error() string { return string(u) }

func result(name, detail string, err error) string {
	var u untried
	switch {
	case errors.As(err, &u):
		return name + " untried " + strings.ReplaceAll(string(u), " ", "_")
	case err != nil:
		var errno unix.Errno
		if errors.As(err, &errno) {
			return name + " blocked " + unix.ErrnoName(errno)
		}
		return name + " blocked " + strings.ReplaceAll(err.Error(), " ", "_")
	}
	return name + " ALLOWED " + strings.ReplaceAll(detail, " ", "_")
}

func writeFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString("escaped\n")
	return err
}

func writeSys(path, value string) (string, error) {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		return "", untried(path + " does not exist")
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	_, err = f.WriteString(value)
	return "wrote " + path, err
}

func firstExisting(paths ...string) string {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func checks() []check {
	return []check{
		{"mount", func() (string, error) {
			if err := os.MkdirAll("/tmp/m", 0o755); err != nil {
				return "", untried(err.Error())
			}
			err := unix.Mount("tmpfs", "/tmp/m", "tmpfs", 0, "")
			if err == nil {
				unix.Unmount("/tmp/m", unix.MNT_DETACH)
			}
			return "mounted a tmpfs", err
		}},
		{"proc-sys-write", func() (string, error) { return writeSys("/proc/sys/kernel/domainname", "escaped") }},
		{"sysfs-write", func() (string, error) {
			p := firstExisting("/sys/kernel/uevent_helper", "/sys/kernel/rcu_expedited", "/sys/power/state", "/sys/kernel/mm/ksm/run")
			if p == "" {
				return "", untried("no writable sysfs file known on this kernel")
			}
			f, err := os.OpenFile(p, os.O_WRONLY, 0) // opening for write is the escape; write nothing
			if err == nil {
				f.Close()
			}
			return "opened " + p + " for writing", err
		}},
		{"core-pattern", func() (string, error) { return writeSys("/proc/sys/kernel/core_pattern", "|/tmp/escape") }},
		{"cgroup-release-agent", func() (string, error) {
			// The classic: mount a cgroup v1 hierarchy to reach its root's release_agent.
			os.MkdirAll("/tmp/cg", 0o755)
			err := unix.Mount("cgroup", "/tmp/cg", "cgroup", 0, "rdma")
			if err == nil {
				defer unix.Unmount("/tmp/cg", unix.MNT_DETACH)
				return writeSys("/tmp/cg/release_agent", "/tmp/escape")
			}
			return "", err
		}},
		{"mknod-host-disk", func() (string, error) {
			var st unix.Stat_t
			if err := unix.Stat("/host", &st); err != nil {
				return "", untried("no /host mount")
			}
			dev := int(st.Dev)
			err := unix.Mknod("/tmp/disk", unix.S_IFBLK|0o600, dev)
			if err != nil {
				return "", err
			}
			f, err := os.OpenFile("/tmp/disk", os.O_RDONLY, 0)
			if err != nil {
				return "", err
			}
			f.Close()
			return fmt.Sprintf("opened block device %d:%d", unix.Major(uint64(dev)), unix.Minor(uint64(dev))), nil
		}},
		{"open-by-handle-at", func() (string, error) {
			h, mountID, err := unix.NameToHandleAt(unix.AT_FDCWD, "/host/etc", 0)
			if err != nil {
				return "", untried("name_to_handle_at: " + err.Error())
			}
			_ = mountID
			mfd, err := unix.Open("/host", unix.O_RDONLY|unix.O_DIRECTORY, 0)
			if err != nil {
				return "", untried("open /host: " + err.Error())
			}
			defer unix.Close(mfd)
			fd, err := unix.OpenByHandleAt(mfd, h, unix.O_RDONLY)
			if err == nil {
				unix.Close(fd)
			}
			return "opened a host directory by handle", err
		}},
		{"unshare-user", func() (string, error) {
			// CLONE_NEWUSER without CLONE_FS sharing: Go's threads share
			// their fs, so EINVAL would not prove anything; seccomp or
			// capabilities answer EPERM first when they block it.
			err := unix.Unshare(unix.CLONE_NEWUSER)
			if errors.Is(err, unix.EINVAL) {
				return "", untried("EINVAL_from_a_multithreaded_process")
			}
			return "unshared a user namespace", err
		}},
		{"unshare-net", func() (string, error) {
			runtime.LockOSThread() // the thread is left in its namespace if this works
			return "unshared a network namespace", unix.Unshare(unix.CLONE_NEWNET)
		}},
		{"setns-host", func() (string, error) {
			f, err := os.Open("/host/proc/1/ns/net")
			if err != nil {
				return "", err
			}
			defer f.Close()
			runtime.LockOSThread()
			return "joined the host's network namespace", unix.Setns(int(f.Fd()), unix.CLONE_NEWNET)
		}},
		{"keyctl", func() (string, error) {
			_, _, e := unix.Syscall(unix.SYS_KEYCTL, unix.KEYCTL_JOIN_SESSION_KEYRING, 0, 0)
			return "joined a session keyring", errnoErr(e)
		}},
		{"bpf", func() (string, error) {
			attr := make([]byte, 128)
			_, _, e := unix.Syscall(unix.SYS_BPF, unix.BPF_MAP_CREATE, uintptr(unsafe.Pointer(&attr[0])), uintptr(len(attr)))
			if e == unix.EINVAL {
				return "", untried("bpf reached the kernel and refused an empty map: EINVAL")
			}
			return "bpf(2) reached the kernel", errnoErr(e)
		}},
		{"perf-event-open", func() (string, error) {
			attr := unix.PerfEventAttr{Type: unix.PERF_TYPE_SOFTWARE, Config: unix.PERF_COUNT_SW_CPU_CLOCK}
			attr.Size = uint32(unsafe.Sizeof(attr))
			fd, err := unix.PerfEventOpen(&attr, -1, 0, -1, 0)
			if err == nil {
				unix.Close(fd)
			}
			return "opened a CPU-wide perf event", err
		}},
		{"userfaultfd", func() (string, error) {
			fd, _, e := unix.Syscall(unix.SYS_USERFAULTFD, 0, 0, 0)
			if e == 0 {
				unix.Close(int(fd))
			}
			return "made a userfaultfd", errnoErr(e)
		}},
		{"set-clock", func() (string, error) {
			now := unix.NsecToTimespec(time.Now().UnixNano())
			return "set the realtime clock", unix.ClockSettime(unix.CLOCK_REALTIME, &now)
		}},
		{"reboot", func() (string, error) {
			// CAD_OFF changes nothing that matters if it works.
			return "reboot(2) accepted", unix.Reboot(unix.LINUX_REBOOT_CMD_CAD_OFF)
		}},
		{"sethostname", func() (string, error) {
			return "set the hostname", unix.Sethostname([]byte("escaped"))
		}},
		{"ptrace-host", func() (string, error) {
			// Host processes are not in the container's pid namespace;
			// through the host's /proc their root is the way in.
			_, err := os.ReadDir("/host/proc/1/root/")
			return "listed the host init's root through /proc/1/root", err
		}},
		{"read-shadow", func() (string, error) {
			_, err := os.ReadFile("/host/etc/shadow")
			return "read the host's /etc/shadow", err
		}},
		{"load-module", func() (string, error) {
			if _, err := os.Stat("/host/proc/modules"); err != nil {
				return "", untried("the host kernel is built without modules")
			}
			_, _, e := unix.Syscall(unix.SYS_FINIT_MODULE, 0, uintptr(unsafe.Pointer(&[]byte{0}[0])), 0)
			if e == unix.EBADF || e == unix.EINVAL {
				return "", untried("finit_module reached the kernel's argument checks")
			}
			return "finit_module accepted", errnoErr(e)
		}},
		{"chown-host-file", func() (string, error) {
			return "changed a host file's owner", unix.Chown("/host/etc/hostname", 0, 0)
		}},
		{"leaked-fds", func() (string, error) {
			entries, err := os.ReadDir("/proc/self/fd")
			if err != nil {
				return "", untried(err.Error())
			}
			var extra []string
			for _, e := range entries {
				switch e.Name() {
				case "0", "1", "2":
					continue
				}
				target, err := os.Readlink("/proc/self/fd/" + e.Name())
				if errors.Is(err, os.ErrNotExist) {
					continue // the ReadDir's own descriptor, closed since
				}
				if strings.HasPrefix(target, "/proc/") && strings.HasSuffix(target, "/fd") {
					continue
				}
				if goRuntimeFile(target) {
					continue
				}
				extra = append(extra, e.Name()+"->"+target)
			}
			if len(extra) > 0 {
				return "inherited " + strings.Join(extra, ","), nil
			}
			return "", errors.New("no descriptor beyond stdio")
		}},
	}
}

// goRuntimeFile tells the files Go's runtime itself keeps open to follow
// the container's CPU limit (Go 1.25 and later), which are not inherited.
func goRuntimeFile(target string) bool {
	if !strings.HasPrefix(target, "/sys/fs/cgroup/") {
		return false
	}
	switch filepath.Base(target) {
	case "cpu.max", "cpu.cfs_quota_us", "cpu.cfs_period_us", "cgroup.procs":
		return true
	}
	return false
}

func errnoErr(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}
