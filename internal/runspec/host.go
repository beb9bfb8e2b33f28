package runspec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Host is what Build needs to know about the machine: the capabilities it
// can grant, its devices (for --privileged), its hostname (for --network
// host) and its CPU count (to check --cpus).
type Host struct {
	Capabilities []string            // the bounding set of this process, "CAP_X" names in kernel order
	Devices      []specs.LinuxDevice // for --privileged; see ProbeHostFor
	Hostname     string
	CPUs         int
	// LastCap is the kernel's last capability (cap_last_cap); 0 when
	// unknown, and then not checked. Tests inject an older kernel's.
	LastCap capability.Cap
	// AppArmor and SELinux tell whether the host enforces that LSM.
	AppArmor, SELinux bool
	// CgroupUnified tells whether /sys/fs/cgroup is cgroup v2 alone,
	// where Docker gives containers a private cgroup namespace.
	CgroupUnified bool
}

// ProbeHost reads the running process's bounding set, walks /dev as runc
// does for privileged containers, and reads the hostname, CPU count and
// the kernel's capabilities, LSMs and cgroup version.
func ProbeHost() (*Host, error) { return ProbeHostFor(true) }

// probeHostWithoutDevices is ProbeHost without the walk of /dev, which
// only --privileged needs: what Check reads.
func probeHostWithoutDevices() (*Host, error) { return ProbeHostFor(false) }

// ProbeHostFor is ProbeHost for one container: it walks /dev (an lstat of
// every node, on the path of every `ward run`) only when the container is
// privileged, the one case whose spec lists the host's devices; otherwise
// Devices is nil.
func ProbeHostFor(privileged bool) (*Host, error) {
	caps, err := hostCapabilities()
	if err != nil {
		return nil, err
	}
	var devs []specs.LinuxDevice
	if privileged {
		if devs, err = hostDevices("/dev"); err != nil {
			return nil, err
		}
	}
	name, err := os.Hostname()
	if err != nil {
		return nil, fmt.Errorf("read hostname: %w", err)
	}
	last, err := capability.LastCap()
	if err != nil {
		return nil, fmt.Errorf("read the kernel's last capability: %w", err)
	}
	return &Host{
		Capabilities: caps, Devices: devs, Hostname: name, CPUs: runtime.NumCPU(),
		LastCap: last, AppArmor: appArmorEnabled(), SELinux: seLinuxEnabled(),
		CgroupUnified: cgroupUnified(),
	}, nil
}

// appArmorEnabled is what runc and Docker check: the module's enabled
// parameter says Y.
func appArmorEnabled() bool {
	b, err := os.ReadFile("/sys/module/apparmor/parameters/enabled")
	return err == nil && strings.HasPrefix(string(b), "Y")
}

// DefaultCgroupNS is Docker's --cgroupns default on this host: private
// where /sys/fs/cgroup is cgroup v2 alone, host otherwise.
func DefaultCgroupNS() string {
	if cgroupUnified() {
		return "private"
	}
	return "host"
}

func cgroupUnified() bool {
	var st unix.Statfs_t
	return unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
}

// seLinuxEnabled tells whether selinuxfs is mounted, as go-selinux does
// at its simplest: its enforce file exists.
func seLinuxEnabled() bool {
	_, err := os.Stat("/sys/fs/selinux/enforce")
	return err == nil
}

// Unavailable lists the capabilities ward knows that this host cannot
// grant (CAP_SYS_RESOURCE on machines whose bounding set lacks it):
// --privileged and --cap-add ALL leave them out, and the caller says so.
func (h *Host) Unavailable() []string {
	var out []string
	for _, c := range capability.ListKnown() {
		if n := capName(c); !contains(h.Capabilities, n) {
			out = append(out, n)
		}
	}
	return out
}

func hostCapabilities() ([]string, error) {
	self, err := capability.NewPid2(0)
	if err != nil {
		return nil, fmt.Errorf("read own capabilities: %w", err)
	}
	if err := self.Load(); err != nil {
		return nil, fmt.Errorf("read own capabilities: %w", err)
	}
	last, err := capability.LastCap()
	if err != nil {
		return nil, fmt.Errorf("read the kernel's last capability: %w", err)
	}
	var out []string
	for _, c := range capability.ListKnown() {
		if c <= last && self.Get(capability.BOUNDING, c) {
			out = append(out, capName(c))
		}
	}
	return out, nil
}

func capName(c capability.Cap) string { return "CAP_" + strings.ToUpper(c.String()) }

// hostDevices lists the character and block devices under dir as runc's
// libcontainer/devices.HostDevices does (what Docker hands a privileged
// container): sorted by path, skipping pts, shm, fd, mqueue and a few
// container managers' directories, /dev/console, symlinks and fifos.
func hostDevices(dir string) ([]specs.LinuxDevice, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list host devices in %s: %w", dir, err)
	}
	var out []specs.LinuxDevice
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if e.IsDir() {
			switch e.Name() {
			case "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev":
				continue
			}
			sub, err := hostDevices(p)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
			continue
		}
		if e.Name() == "console" {
			continue
		}
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			if errors.Is(err, unix.ENOENT) {
				continue
			}
			return nil, fmt.Errorf("stat host device %s: %w", p, err)
		}
		var typ string
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFCHR:
			typ = "c"
		case unix.S_IFBLK:
			typ = "b"
		default:
			continue
		}
		mode := os.FileMode(st.Mode &^ unix.S_IFMT)
		uid, gid := st.Uid, st.Gid
		out = append(out, specs.LinuxDevice{
			Path: p, Type: typ,
			Major: int64(unix.Major(st.Rdev)), Minor: int64(unix.Minor(st.Rdev)),
			FileMode: &mode, UID: &uid, GID: &gid,
		})
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
