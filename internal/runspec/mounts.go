package runspec

import (
	"fmt"
	"path"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// defaultMounts are Docker's, in Docker's order; /dev/shm gets its size
// appended when it is kept.
func defaultMounts() []specs.Mount {
	return []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
		{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: []string{"nosuid", "noexec", "nodev", "ro"}},
		{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup", Options: []string{"ro", "nosuid", "noexec", "nodev"}},
		{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777"}},
	}
}

// shmSize is Docker's default /dev/shm size (64 MiB).
const shmSize = 64 * 1024 * 1024

// Mount is a mount the user asked for with -v, --mount or --tmpfs (or
// one Docker adds per container): a bind of Source, or a tmpfs with Data
// options. Build turns it into a spec mount with Docker's options.
type Mount struct {
	Source, Destination string
	Tmpfs               bool
	Data                string // tmpfs options
	Writable            bool
	Propagation         string
	// IDMap is -v's idmap mode (Podman's): the engine replaces such a
	// bind by its idmapped clone before the spec is built.
	IDMap bool
}

// ParseVolume parses a -v value, HOST:DEST[:MODE] where MODE is a
// comma-separated list of ro, rw, idmap and one propagation mode (z and Z, SELinux
// relabelling, are accepted and ignored as on a host without SELinux).
func ParseVolume(v string) (Mount, error) {
	parts := strings.Split(v, ":")
	if len(parts) < 2 || len(parts) > 3 {
		if len(parts) == 1 && path.IsAbs(v) {
			return Mount{}, fmt.Errorf("-v %q: anonymous volumes are not supported; give HOST:DEST", v)
		}
		return Mount{}, fmt.Errorf("-v %q: want HOST:DEST[:ro|rw]", v)
	}
	m := Mount{Source: parts[0], Destination: parts[1], Writable: true, Propagation: "rprivate"}
	if !path.IsAbs(m.Source) {
		return Mount{}, fmt.Errorf("-v %q: named volumes are not supported; the source must be an absolute host path", v)
	}
	if !path.IsAbs(m.Destination) {
		return Mount{}, fmt.Errorf("-v %q: the destination must be an absolute path", v)
	}
	if m.Destination == "/" {
		return Mount{}, fmt.Errorf("-v %q: cannot mount over /", v)
	}
	m.Source, m.Destination = path.Clean(m.Source), path.Clean(m.Destination)
	if len(parts) == 3 {
		rw, prop := 0, 0
		for _, opt := range strings.Split(parts[2], ",") {
			switch opt {
			case "ro":
				m.Writable = false
				rw++
			case "rw":
				m.Writable = true
				rw++
			case "private", "rprivate", "shared", "rshared", "slave", "rslave":
				m.Propagation = opt
				prop++
			case "z", "Z":
			case "idmap":
				m.IDMap = true
			default:
				return Mount{}, fmt.Errorf("-v %q: invalid mode %q", v, opt)
			}
		}
		if rw > 1 || prop > 1 {
			return Mount{}, fmt.Errorf("-v %q: conflicting modes %q", v, parts[2])
		}
	}
	return m, nil
}

// ParseTmpfs parses a --tmpfs value, DEST[:OPTIONS].
func ParseTmpfs(v string) (Mount, error) {
	dest, data, _ := strings.Cut(v, ":")
	if !path.IsAbs(dest) {
		return Mount{}, fmt.Errorf("--tmpfs %q: the destination must be an absolute path", v)
	}
	if path.Clean(dest) == "/" {
		return Mount{}, fmt.Errorf("--tmpfs %q: cannot mount over /", v)
	}
	return Mount{Source: "tmpfs", Destination: path.Clean(dest), Tmpfs: true, Data: data, Writable: true}, nil
}

// mounts assembles the spec's mounts as Docker 20.10's WithMounts does.
func mounts(o Options) ([]specs.Mount, error) {
	var binds, tmpfs []Mount
	seen := map[string]string{}
	claim := func(dest, flag string) error {
		if prev, ok := seen[dest]; ok {
			return fmt.Errorf("%s: duplicate mount point %s (also given by %s)", flag, dest, prev)
		}
		seen[dest] = flag
		return nil
	}
	for _, v := range o.Volumes {
		m, err := ParseVolume(v)
		if err != nil {
			return nil, err
		}
		if m.IDMap {
			return nil, fmt.Errorf("-v %q: idmap needs a user namespace of the container's own (--userns auto)", v)
		}
		if err := claim(m.Destination, "-v"); err != nil {
			return nil, err
		}
		binds = append(binds, m)
	}
	for _, v := range o.Mounts {
		m, err := ParseMount(v)
		if err != nil {
			return nil, err
		}
		if err := claim(m.Destination, "--mount"); err != nil {
			return nil, err
		}
		if m.Tmpfs {
			tmpfs = append(tmpfs, m)
		} else {
			binds = append(binds, m)
		}
	}
	for _, v := range o.Tmpfs {
		m, err := ParseTmpfs(v)
		if err != nil {
			return nil, err
		}
		if err := claim(m.Destination, "--tmpfs"); err != nil {
			return nil, err
		}
		tmpfs = append(tmpfs, m)
	}
	// Docker's order: volumes sorted by depth, the network files (writable
	// unless --read-only), the host's /dev/shm for --ipc host, then tmpfs
	// mounts; the whole list is then sorted by depth, stably for lists
	// this short.
	all := sortByDepth(binds)
	for _, nf := range []struct{ src, dest string }{
		{o.NetworkFiles.ResolvConf, "/etc/resolv.conf"},
		{o.NetworkFiles.Hostname, "/etc/hostname"},
		{o.NetworkFiles.Hosts, "/etc/hosts"},
	} {
		if nf.src != "" && seen[nf.dest] == "" {
			all = append(all, Mount{Source: nf.src, Destination: nf.dest, Writable: !o.ReadOnly, Propagation: "rprivate"})
		}
	}
	if o.IPC == "host" && seen["/dev/shm"] == "" {
		all = append(all, Mount{Source: "/dev/shm", Destination: "/dev/shm", Writable: true, Propagation: "rprivate"})
	}
	all = sortByDepth(append(all, tmpfs...))

	user := map[string]bool{}
	for _, m := range all {
		user[m.Destination] = true
	}
	var out []specs.Mount
	for _, m := range defaultMounts() {
		if user[m.Destination] || (user["/dev"] && strings.HasPrefix(m.Destination, "/dev/")) {
			continue
		}
		if m.Destination == "/dev/shm" {
			if o.IPC == "host" {
				continue
			}
			m.Options = append(m.Options, fmt.Sprintf("size=%d", shmSize))
		}
		out = append(out, m)
	}
	if o.Init {
		// Where Docker puts it: after its own mounts, before the user's.
		out = append(out, initMount(o.InitPath))
	}
	for _, m := range all {
		if m.Tmpfs {
			opts := []string{"noexec", "nosuid", "nodev", "rprivate"}
			if m.Data != "" {
				opts = append(opts, strings.Split(m.Data, ",")...)
			}
			merged, err := mergeTmpfsOptions(opts)
			if err != nil {
				return nil, fmt.Errorf("--tmpfs %s: %w", m.Destination, err)
			}
			out = append(out, specs.Mount{Destination: m.Destination, Type: "tmpfs", Source: "tmpfs", Options: merged})
			continue
		}
		opts := []string{"rbind"}
		if !m.Writable {
			opts = append(opts, "ro")
		}
		opts = append(opts, m.Propagation)
		out = append(out, specs.Mount{Destination: m.Destination, Type: "bind", Source: m.Source, Options: opts})
	}
	if o.ReadOnly {
		for i, m := range out {
			switch m.Destination {
			case "/proc", "/dev/pts", "/dev/shm", "/dev/mqueue", "/dev":
				continue
			}
			if !user[m.Destination] && !contains(m.Options, "ro") {
				out[i].Options = append(out[i].Options, "ro")
			}
		}
	}
	if o.Privileged {
		for i, m := range out {
			if m.Destination == "/sys" || m.Type == "cgroup" {
				out[i].Options = without(m.Options, "ro")
			}
		}
	}
	return out, nil
}

func sortByDepth(ms []Mount) []Mount {
	out := append([]Mount(nil), ms...)
	sort.SliceStable(out, func(i, j int) bool {
		return strings.Count(out[i].Destination, "/") < strings.Count(out[j].Destination, "/")
	})
	return out
}

func without(list []string, drop string) []string {
	var out []string
	for _, s := range list {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}

// tmpfsFlags maps each mount flag option to the flag it sets or clears, so
// that the later of two options on the same flag wins (moby/sys/mount's
// MergeTmpfsOptions); all propagation modes share one key.
var tmpfsFlags = map[string]string{
	"ro": "rdonly", "rw": "rdonly", "suid": "nosuid", "nosuid": "nosuid",
	"dev": "nodev", "nodev": "nodev", "exec": "noexec", "noexec": "noexec",
	"sync": "sync", "async": "sync", "dirsync": "dirsync", "remount": "remount",
	"mand": "mand", "nomand": "mand", "atime": "noatime", "noatime": "noatime",
	"diratime": "nodiratime", "nodiratime": "nodiratime",
	"relatime": "relatime", "norelatime": "relatime",
	"strictatime": "strictatime", "nostrictatime": "strictatime",
	"bind": "propagation", "rbind": "propagation", "unbindable": "propagation",
	"runbindable": "propagation", "private": "propagation", "rprivate": "propagation",
	"shared": "propagation", "rshared": "propagation", "slave": "propagation", "rslave": "propagation",
}

// tmpfsData are the tmpfs data options Docker accepts.
var tmpfsData = map[string]bool{"size": true, "mode": true, "uid": true, "gid": true, "nr_inodes": true, "nr_blocks": true, "mpol": true}

// mergeTmpfsOptions removes duplicates as moby/sys/mount does: walking
// backwards, the last option for each flag or data key wins and the
// survivors keep their order.
func mergeTmpfsOptions(options []string) ([]string, error) {
	flags := map[string]bool{}
	data := map[string]bool{}
	var out []string
	for i := len(options) - 1; i >= 0; i-- {
		opt := options[i]
		if opt == "defaults" {
			continue
		}
		if key, ok := tmpfsFlags[opt]; ok {
			if !flags[key] {
				out = append([]string{opt}, out...)
				flags[key] = true
			}
			continue
		}
		k, _, ok := strings.Cut(opt, "=")
		if !ok || !tmpfsData[k] {
			return nil, fmt.Errorf("invalid tmpfs option %q", opt)
		}
		if !data[k] {
			out = append([]string{opt}, out...)
			data[k] = true
		}
	}
	return out, nil
}
