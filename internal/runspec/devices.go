package runspec

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// DeviceMapping is one --device, as Docker records it in HostConfig.Devices.
type DeviceMapping struct {
	PathOnHost        string
	PathInContainer   string
	CgroupPermissions string
}

// ParseDevice parses a --device value, HOST[:CONTAINER][:PERMISSIONS], as
// Docker's client does: a second part made only of r, w and m is the
// permissions, the container path defaults to the host's, and the
// permissions to rwm.
func ParseDevice(v string) (DeviceMapping, error) {
	d := DeviceMapping{CgroupPermissions: "rwm"}
	parts := strings.Split(v, ":")
	switch len(parts) {
	case 3:
		d.CgroupPermissions = parts[2]
		d.PathInContainer = parts[1]
	case 2:
		if validDeviceMode(parts[1]) {
			d.CgroupPermissions = parts[1]
		} else {
			d.PathInContainer = parts[1]
		}
	case 1:
	default:
		return DeviceMapping{}, fmt.Errorf("--device %q: want HOST[:CONTAINER][:PERMISSIONS]", v)
	}
	d.PathOnHost = parts[0]
	if d.PathInContainer == "" {
		d.PathInContainer = d.PathOnHost
	}
	if d.PathOnHost == "" {
		return DeviceMapping{}, fmt.Errorf("--device %q: no host path", v)
	}
	if !path.IsAbs(d.PathInContainer) {
		return DeviceMapping{}, fmt.Errorf("--device %q: %q is not an absolute path", v, d.PathInContainer)
	}
	if !validDeviceMode(d.CgroupPermissions) {
		return DeviceMapping{}, fmt.Errorf("--device %q: bad permissions %q (r, w and m, each at most once)", v, d.CgroupPermissions)
	}
	return d, nil
}

// validDeviceMode is Docker's: one to three of r, w, m, none twice.
func validDeviceMode(mode string) bool {
	if mode == "" || len(mode) > 3 {
		return false
	}
	seen := map[rune]bool{}
	for _, c := range mode {
		if !strings.ContainsRune("rwm", c) || seen[c] {
			return false
		}
		seen[c] = true
	}
	return true
}

// hostDevice turns a --device into the nodes the container gets and the
// device-cgroup rules that let it use them, as Docker's
// oci.DevicesFromPath does: a symlink on the host is followed, a node
// keeps the host's mode and owner, and a directory brings every node
// under it, at the same place under the container path.
func hostDevice(d DeviceMapping) ([]specs.LinuxDevice, []specs.LinuxDeviceCgroup, error) {
	src := d.PathOnHost
	if fi, err := os.Lstat(src); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		if resolved, err := filepath.EvalSymlinks(src); err == nil {
			src = resolved
		}
	}
	dev, err := deviceNode(src, d.PathInContainer)
	if err == nil {
		return []specs.LinuxDevice{dev}, []specs.LinuxDeviceCgroup{deviceRule(dev, d.CgroupPermissions)}, nil
	}
	if !errors.Is(err, errNotDevice) {
		return nil, nil, fmt.Errorf("--device %s: %w", d.PathOnHost, err)
	}
	fi, statErr := os.Stat(src)
	if statErr != nil || !fi.IsDir() {
		return nil, nil, fmt.Errorf("--device %s: %w", d.PathOnHost, err)
	}
	var devs []specs.LinuxDevice
	var rules []specs.LinuxDeviceCgroup
	// As Docker's walk: entries that are not nodes, or cannot be read, are skipped.
	filepath.Walk(src, func(p string, _ os.FileInfo, _ error) error {
		child, err := deviceNode(p, strings.Replace(p, src, d.PathInContainer, 1))
		if err != nil {
			return nil
		}
		devs = append(devs, child)
		rules = append(rules, deviceRule(child, d.CgroupPermissions))
		return nil
	})
	if len(devs) == 0 {
		return nil, nil, fmt.Errorf("--device %s: a directory without device nodes", d.PathOnHost)
	}
	return devs, rules, nil
}

var errNotDevice = errors.New("not a device node")

// deviceNode reads a host device node: its type, numbers, mode and owner.
func deviceNode(host, container string) (specs.LinuxDevice, error) {
	var st unix.Stat_t
	if err := unix.Lstat(host, &st); err != nil {
		return specs.LinuxDevice{}, &os.PathError{Op: "stat", Path: host, Err: err}
	}
	var typ string
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFCHR:
		typ = "c"
	case unix.S_IFBLK:
		typ = "b"
	default:
		return specs.LinuxDevice{}, errNotDevice
	}
	mode := os.FileMode(st.Mode &^ unix.S_IFMT)
	uid, gid := st.Uid, st.Gid
	return specs.LinuxDevice{
		Path: container, Type: typ,
		Major: int64(unix.Major(st.Rdev)), Minor: int64(unix.Minor(st.Rdev)),
		FileMode: &mode, UID: &uid, GID: &gid,
	}, nil
}

func deviceRule(d specs.LinuxDevice, access string) specs.LinuxDeviceCgroup {
	major, minor := d.Major, d.Minor
	return specs.LinuxDeviceCgroup{Allow: true, Type: d.Type, Major: &major, Minor: &minor, Access: access}
}

// deviceCgroupRule is Docker's syntax for --device-cgroup-rule.
//
// Compiled on first use, not at every start of the program.
var deviceCgroupRule = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$`) })

// ParseDeviceCgroupRule parses a --device-cgroup-rule value such as
// "c 10:229 rwm" or "b 7:* r" into the allow rule Docker writes: a "*"
// number is -1, any.
func ParseDeviceCgroupRule(v string) (specs.LinuxDeviceCgroup, error) {
	m := deviceCgroupRule().FindStringSubmatch(v)
	if m == nil {
		return specs.LinuxDeviceCgroup{}, fmt.Errorf("--device-cgroup-rule %q: want TYPE MAJOR:MINOR ACCESS, e.g. \"c 10:229 rwm\" (TYPE a, b or c; * for any number)", v)
	}
	r := specs.LinuxDeviceCgroup{Allow: true, Type: m[1], Access: m[4]}
	for i, dst := range []**int64{&r.Major, &r.Minor} {
		n := int64(-1)
		if m[2+i] != "*" {
			var err error
			if n, err = strconv.ParseInt(m[2+i], 10, 64); err != nil {
				return specs.LinuxDeviceCgroup{}, fmt.Errorf("--device-cgroup-rule %q: %w", v, err)
			}
		}
		*dst = &n
	}
	return r, nil
}
