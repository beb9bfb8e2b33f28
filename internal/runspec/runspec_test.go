package runspec

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

const testID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func testRootfs(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", "rootfs"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func build(t *testing.T, o Options) *specs.Spec {
	t.Helper()
	if o.Host == nil {
		o.Host = referenceHost(t)
	}
	if len(o.Cmd) == 0 && o.Image.Cmd == nil {
		o.Cmd = []string{"true"}
	}
	s, err := Build(o, testRootfs(t), testID)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return s
}

// Docker always lists the primary group among the supplementary ones (its
// recorded specs; test/dockerdiff sees the same through id): user:group
// gets that group alone.
func TestResolveUser(t *testing.T) {
	for _, tc := range []struct {
		spec     string
		uid, gid uint32
		groups   []uint32
		err      string
	}{
		{spec: "", uid: 0, gid: 0, groups: []uint32{0}},
		{spec: "root", uid: 0, gid: 0, groups: []uint32{0}},
		{spec: "1001", uid: 1001, gid: 1001, groups: []uint32{1001, 1002}},
		{spec: "app", uid: 1001, gid: 1001, groups: []uint32{1001, 1002}},
		{spec: "app:audio", uid: 1001, gid: 29, groups: []uint32{29}},
		{spec: "1001:1001", uid: 1001, gid: 1001, groups: []uint32{1001}},
		{spec: "app:5000", uid: 1001, gid: 5000, groups: []uint32{5000}},
		{spec: "4242", uid: 4242, gid: 0, groups: []uint32{0}},
		{spec: "4242:4242", uid: 4242, gid: 4242, groups: []uint32{4242}},
		{spec: "daemon", uid: 1, gid: 1, groups: []uint32{1}},
		{spec: "ghost", err: `--user "ghost": unable to find user ghost`},
		{spec: "app:ghosts", err: `--user "app:ghosts": unable to find group ghosts`},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			u, err := ResolveUser(testRootfs(t), tc.spec)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := specs.User{UID: tc.uid, GID: tc.gid, AdditionalGids: tc.groups}
			if !reflect.DeepEqual(u, want) {
				t.Errorf("got %+v, want %+v", u, want)
			}
		})
	}
}

func TestResolveUserWithoutPasswd(t *testing.T) {
	empty := t.TempDir()
	u, err := ResolveUser(empty, "1000:1000")
	if err != nil || u.UID != 1000 || u.GID != 1000 {
		t.Fatalf("numeric user without /etc/passwd: %+v, %v", u, err)
	}
	if _, err := ResolveUser(empty, "app"); err == nil {
		t.Fatal("a name without /etc/passwd resolved")
	}
}

func TestNonRootKeepsOnlyBounding(t *testing.T) {
	for _, tc := range []struct {
		user     string
		effOnly  bool // effective and permitted equal bounding
		bounding int
	}{
		{user: "", effOnly: true, bounding: 14},
		{user: "0:1001", effOnly: true, bounding: 14},
		{user: "1001", effOnly: false, bounding: 14},
		{user: "app", effOnly: false, bounding: 14},
	} {
		t.Run("user="+tc.user, func(t *testing.T) {
			c := build(t, Options{User: tc.user}).Process.Capabilities
			if len(c.Bounding) != tc.bounding {
				t.Errorf("bounding %v, want %d capabilities", c.Bounding, tc.bounding)
			}
			if tc.effOnly && (!reflect.DeepEqual(c.Effective, c.Bounding) || !reflect.DeepEqual(c.Permitted, c.Bounding)) {
				t.Errorf("root: effective %v permitted %v, want the bounding set", c.Effective, c.Permitted)
			}
			if !tc.effOnly && (len(c.Effective) != 0 || len(c.Permitted) != 0 || len(c.Inheritable) != 0 || len(c.Ambient) != 0) {
				t.Errorf("non-root: %+v, want only the bounding set", c)
			}
		})
	}
}

func TestImageUserIsHonoured(t *testing.T) {
	s := build(t, Options{Image: v1.Config{User: "app", Cmd: []string{"sh"}}})
	if s.Process.User.UID != 1001 {
		t.Errorf("image USER app: uid %d", s.Process.User.UID)
	}
	s = build(t, Options{User: "root", Image: v1.Config{User: "app", Cmd: []string{"sh"}}})
	if s.Process.User.UID != 0 {
		t.Errorf("--user root over image USER app: uid %d", s.Process.User.UID)
	}
}

func TestCapabilities(t *testing.T) {
	host := &Host{Capabilities: append(append([]string(nil), DefaultCapabilities...), "CAP_NET_ADMIN", "CAP_SYS_ADMIN")}
	for _, tc := range []struct {
		name       string
		add, drop  []string
		privileged bool
		want       []string
		err        string
	}{
		{name: "defaults", want: DefaultCapabilities},
		{name: "drop ALL add one", add: []string{"NET_BIND_SERVICE"}, drop: []string{"ALL"}, want: []string{"CAP_NET_BIND_SERVICE"}},
		{name: "drop ALL only", drop: []string{"all"}, want: nil},
		{name: "spellings", add: []string{"net_admin", "Cap_Sys_Admin"}, drop: []string{"CAP_NET_RAW", "mknod"},
			want: []string{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", "CAP_NET_ADMIN", "CAP_SYS_ADMIN"}},
		{name: "add a default twice", add: []string{"CHOWN"}, want: DefaultCapabilities},
		{name: "add ALL is what the host has", add: []string{"ALL"}, want: host.Capabilities},
		{name: "add ALL minus drops", add: []string{"ALL"}, drop: []string{"SYS_ADMIN"}, want: host.Capabilities[:len(host.Capabilities)-1]},
		{name: "privileged is what the host has", privileged: true, drop: []string{"ALL"}, want: host.Capabilities},
		{name: "unknown add", add: []string{"NET_WIZARD"}, err: `--cap-add: unknown capability "NET_WIZARD"`},
		{name: "unknown drop", drop: []string{"CAP_FOO"}, err: `--cap-drop: unknown capability "CAP_FOO"`},
		{name: "host cannot grant", add: []string{"SYS_RESOURCE"}, err: "--cap-add: this host cannot grant CAP_SYS_RESOURCE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Capabilities(tc.add, tc.drop, tc.privileged, host)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestUnavailable(t *testing.T) {
	h := referenceHost(t)
	if got := h.Unavailable(); !reflect.DeepEqual(got, []string{"CAP_SYS_RESOURCE"}) {
		t.Errorf("Unavailable() = %v, want [CAP_SYS_RESOURCE]", got)
	}
}

func TestSecurityOpts(t *testing.T) {
	profile, err := filepath.Abs(filepath.Join("testdata", "profile-deny-mkdir.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		opts    []string
		nnp     bool
		seccomp string // "default", "none" or "custom"
		err     string
	}{
		{name: "none given", seccomp: "default"},
		{name: "no-new-privileges", opts: []string{"no-new-privileges"}, nnp: true, seccomp: "default"},
		{name: "no-new-privileges:true", opts: []string{"no-new-privileges:true"}, nnp: true, seccomp: "default"},
		{name: "no-new-privileges=false", opts: []string{"no-new-privileges=false"}, seccomp: "default"},
		{name: "unconfined", opts: []string{"seccomp=unconfined"}, seccomp: "none"},
		{name: "unconfined old separator", opts: []string{"seccomp:unconfined"}, seccomp: "none"},
		{name: "profile file", opts: []string{"seccomp=" + profile, "no-new-privileges"}, nnp: true, seccomp: "custom"},
		{name: "missing profile", opts: []string{"seccomp=/nonexistent/profile.json"}, err: "--security-opt seccomp=/nonexistent/profile.json: open"},
		{name: "bad bool", opts: []string{"no-new-privileges:maybe"}, err: `--security-opt "no-new-privileges:maybe": "maybe" is not true or false`},
		{name: "unknown option", opts: []string{"systempaths=unconfined"}, err: `unsupported option "systempaths"`},
		{name: "no separator", opts: []string{"seccomp"}, err: `--security-opt "seccomp": want`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{SecurityOpt: tc.opts, Cmd: []string{"true"}, Host: referenceHost(t)}
			s, err := Build(o, testRootfs(t), testID)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Process.NoNewPrivileges != tc.nnp {
				t.Errorf("noNewPrivileges = %v, want %v", s.Process.NoNewPrivileges, tc.nnp)
			}
			sc := s.Linux.Seccomp
			switch tc.seccomp {
			case "none":
				if sc != nil {
					t.Errorf("seccomp = %+v, want none", sc)
				}
			case "default":
				if sc == nil || sc.DefaultAction != specs.ActErrno || len(sc.Syscalls) < 10 {
					t.Errorf("seccomp = %+v, want Docker's default profile", sc)
				}
			case "custom":
				if sc == nil || sc.DefaultAction != specs.ActAllow || len(sc.Syscalls) != 1 || sc.Syscalls[0].Names[0] != "mkdir" {
					t.Errorf("seccomp = %+v, want the profile file's", sc)
				}
			}
		})
	}
}

func TestPrivilegedHasNoConfinement(t *testing.T) {
	s := build(t, Options{Privileged: true, SecurityOpt: []string{"seccomp=unconfined"}})
	if s.Linux.Seccomp != nil || s.Linux.MaskedPaths != nil || s.Linux.ReadonlyPaths != nil {
		t.Errorf("privileged: seccomp %v masked %v readonly %v, want none", s.Linux.Seccomp != nil, s.Linux.MaskedPaths, s.Linux.ReadonlyPaths)
	}
	for _, m := range s.Mounts {
		if (m.Destination == "/sys" || m.Type == "cgroup") && contains(m.Options, "ro") {
			t.Errorf("privileged: %s mounted read-only", m.Destination)
		}
	}
	if len(s.Linux.Devices) == 0 || len(s.Linux.Resources.Devices) != 1 || !s.Linux.Resources.Devices[0].Allow {
		t.Errorf("privileged: devices %d, rules %+v, want the host's and allow-all", len(s.Linux.Devices), s.Linux.Resources.Devices)
	}
}

func TestUlimits(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want specs.POSIXRlimit
		err  string
	}{
		{in: "nofile=1024:2048", want: specs.POSIXRlimit{Type: "RLIMIT_NOFILE", Soft: 1024, Hard: 2048}},
		{in: "nproc=64", want: specs.POSIXRlimit{Type: "RLIMIT_NPROC", Soft: 64, Hard: 64}},
		{in: "core=-1", want: specs.POSIXRlimit{Type: "RLIMIT_CORE", Soft: ^uint64(0), Hard: ^uint64(0)}},
		{in: "memlock=-1:-1", want: specs.POSIXRlimit{Type: "RLIMIT_MEMLOCK", Soft: ^uint64(0), Hard: ^uint64(0)}},
		{in: "nofile=2048:1024", err: "--ulimit \"nofile=2048:1024\""},
		{in: "wizardry=1", err: "--ulimit \"wizardry=1\""},
		{in: "nofile", err: "--ulimit \"nofile\""},
		{in: "nofile=abc", err: "--ulimit \"nofile=abc\""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseUlimit(tc.in)
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Fatalf("err = %v, want prefix %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
	s := build(t, Options{Ulimits: []string{"nofile=1024:2048", "nproc=64"}})
	if len(s.Process.Rlimits) != 2 || s.Process.Rlimits[0].Type != "RLIMIT_NOFILE" {
		t.Errorf("rlimits in spec: %+v", s.Process.Rlimits)
	}
}

func TestMemory(t *testing.T) {
	for _, tc := range []struct {
		memory, swap    string
		limit, wantSwap int64 // 0: absent
		err             string
	}{
		{memory: "512m", limit: 512 << 20, wantSwap: 1024 << 20},
		{memory: "1g", limit: 1 << 30, wantSwap: 2 << 30},
		{memory: "1G", swap: "3g", limit: 1 << 30, wantSwap: 3 << 30},
		{memory: "67108864b", swap: "-1", limit: 64 << 20},
		{memory: "100k", limit: 100 << 10, err: "--memory: minimum memory limit allowed is 6MB"},
		{memory: "lots", err: `--memory: invalid size "lots"`},
		{memory: "-5m", err: `--memory: invalid size "-5m"`},
		{swap: "1g", err: "--memory-swap: needs --memory as well"},
		{memory: "1g", swap: "512m", err: "--memory-swap: \"512m\" is smaller than --memory \"1g\""},
	} {
		t.Run(tc.memory+"/"+tc.swap, func(t *testing.T) {
			o := Options{Memory: tc.memory, MemorySwap: tc.swap, Cmd: []string{"true"}, Host: referenceHost(t)}
			s, err := Build(o, testRootfs(t), testID)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m := s.Linux.Resources.Memory
			if got := deref(m.Limit); got != tc.limit {
				t.Errorf("limit = %d, want %d", got, tc.limit)
			}
			if got := deref(m.Swap); got != tc.wantSwap {
				t.Errorf("swap = %d, want %d", got, tc.wantSwap)
			}
		})
	}
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func TestCPUs(t *testing.T) {
	for _, tc := range []struct {
		in    string
		quota int64
		err   string
	}{
		{in: "1", quota: 100000},
		{in: "1.5", quota: 150000},
		{in: "0.01", quota: 1000},
		{in: "2", quota: 200000},
		{in: "3", err: "--cpus 3: range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"},
		{in: "0.001", err: "--cpus 0.001: range of CPUs is from 0.01"},         // below the kernel's 1 ms quota
		{in: "0.0000001", err: "--cpus 0.0000001: range of CPUs is from 0.01"}, // was no limit at all
		{in: "0.0000000001", err: "--cpus: \"0.0000000001\" is too precise"},
		{in: "one", err: "--cpus: invalid number \"one\""},
		{in: "-1", err: "--cpus: invalid number \"-1\""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			o := Options{CPUs: tc.in, Cmd: []string{"true"}, Host: referenceHost(t)}
			s, err := Build(o, testRootfs(t), testID)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cpu := s.Linux.Resources.CPU
			if cpu.Quota == nil || *cpu.Quota != tc.quota || cpu.Period == nil || *cpu.Period != 100000 {
				t.Errorf("quota %v period %v, want %d per 100000", cpu.Quota, cpu.Period, tc.quota)
			}
		})
	}
}

func TestPidsLimit(t *testing.T) {
	for _, tc := range []struct {
		in, want int64
	}{{10, 10}, {0, -1}, {-1, -1}} {
		in := tc.in
		s := build(t, Options{PidsLimit: &in})
		if p := s.Linux.Resources.Pids; p == nil || p.Limit == nil || *p.Limit != tc.want {
			t.Errorf("--pids-limit %d: %+v, want %d", tc.in, p, tc.want)
		}
	}
	if p := build(t, Options{}).Linux.Resources.Pids; p != nil {
		t.Errorf("no --pids-limit: %+v", p)
	}
}

func TestCommandAndEnv(t *testing.T) {
	image := v1.Config{
		Entrypoint: []string{"/entry"},
		Cmd:        []string{"serve"},
		Env:        []string{DefaultPath, "A=image", "B=image"},
		WorkingDir: "/srv",
	}
	ep, empty := "/other", ""
	for _, tc := range []struct {
		name string
		o    Options
		args []string
		env  []string
		cwd  string
	}{
		{name: "image", o: Options{}, args: []string{"/entry", "serve"},
			env: []string{DefaultPath, "HOSTNAME=0123456789ab", "A=image", "B=image"}, cwd: "/srv"},
		{name: "cmd replaces Cmd", o: Options{Cmd: []string{"x", "y"}}, args: []string{"/entry", "x", "y"},
			env: []string{DefaultPath, "HOSTNAME=0123456789ab", "A=image", "B=image"}, cwd: "/srv"},
		{name: "entrypoint drops Cmd", o: Options{Entrypoint: &ep}, args: []string{"/other"},
			env: []string{DefaultPath, "HOSTNAME=0123456789ab", "A=image", "B=image"}, cwd: "/srv"},
		{name: "empty entrypoint", o: Options{Entrypoint: &empty, Cmd: []string{"sh"}}, args: []string{"sh"},
			env: []string{DefaultPath, "HOSTNAME=0123456789ab", "A=image", "B=image"}, cwd: "/srv"},
		{name: "env, tty, workdir, hostname", o: Options{Env: []string{"B=user", "C=user", "A", "PATH=/bin"}, TTY: true, Workdir: "/w", Hostname: "box"},
			args: []string{"/entry", "serve"},
			env:  []string{"PATH=/bin", "HOSTNAME=box", "TERM=xterm", "B=user", "C=user"}, cwd: "/w"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.Image = image
			s := build(t, o)
			if !reflect.DeepEqual(s.Process.Args, tc.args) {
				t.Errorf("args = %q, want %q", s.Process.Args, tc.args)
			}
			if !reflect.DeepEqual(s.Process.Env, tc.env) {
				t.Errorf("env = %q, want %q", s.Process.Env, tc.env)
			}
			if s.Process.Cwd != tc.cwd {
				t.Errorf("cwd = %q, want %q", s.Process.Cwd, tc.cwd)
			}
			if s.Process.Terminal != o.TTY {
				t.Errorf("terminal = %v", s.Process.Terminal)
			}
		})
	}
}

func TestNamespacesAndHost(t *testing.T) {
	for _, tc := range []struct {
		name     string
		o        Options
		ns       []specs.LinuxNamespaceType
		hostname string
		sysctl   bool
		shmBind  bool
	}{
		{name: "default", ns: []specs.LinuxNamespaceType{"mount", "network", "uts", "pid", "ipc"}, hostname: "0123456789ab", sysctl: true},
		{name: "network none", o: Options{Network: "none"}, ns: []specs.LinuxNamespaceType{"mount", "network", "uts", "pid", "ipc"}, hostname: "0123456789ab", sysctl: true},
		{name: "network host", o: Options{Network: "host"}, ns: []specs.LinuxNamespaceType{"mount", "uts", "pid", "ipc"}, hostname: "reference-host"},
		{name: "network host with hostname", o: Options{Network: "host", Hostname: "h"}, ns: []specs.LinuxNamespaceType{"mount", "uts", "pid", "ipc"}, hostname: "h"},
		{name: "pid host", o: Options{PID: "host"}, ns: []specs.LinuxNamespaceType{"mount", "network", "uts", "ipc"}, hostname: "0123456789ab", sysctl: true},
		{name: "ipc host", o: Options{IPC: "host"}, ns: []specs.LinuxNamespaceType{"mount", "network", "uts", "pid"}, hostname: "0123456789ab", sysctl: true, shmBind: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := build(t, tc.o)
			var ns []specs.LinuxNamespaceType
			for _, n := range s.Linux.Namespaces {
				if n.Path != "" {
					t.Errorf("namespace %s joins %s", n.Type, n.Path)
				}
				ns = append(ns, n.Type)
			}
			if !reflect.DeepEqual(ns, tc.ns) {
				t.Errorf("namespaces = %v, want %v", ns, tc.ns)
			}
			if s.Hostname != tc.hostname {
				t.Errorf("hostname = %q, want %q", s.Hostname, tc.hostname)
			}
			if got := len(s.Linux.Sysctl) == 2; got != tc.sysctl {
				t.Errorf("sysctl = %v", s.Linux.Sysctl)
			}
			var shm *specs.Mount
			for i, m := range s.Mounts {
				if m.Destination == "/dev/shm" {
					shm = &s.Mounts[i]
				}
			}
			if shm == nil {
				t.Fatal("no /dev/shm mount")
			}
			if got := shm.Type == "bind" && shm.Source == "/dev/shm"; got != tc.shmBind {
				t.Errorf("/dev/shm = %+v", *shm)
			}
		})
	}
}

func TestMounts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		o      Options
		dest   string
		source string
		opts   []string
	}{
		{name: "rw volume", o: Options{Volumes: []string{"/srv/a:/a"}}, dest: "/a", source: "/srv/a", opts: []string{"rbind", "rprivate"}},
		{name: "ro volume with propagation", o: Options{Volumes: []string{"/srv/a/:/a/:ro,rslave"}}, dest: "/a", source: "/srv/a", opts: []string{"rbind", "ro", "rslave"}},
		{name: "tmpfs with options", o: Options{Tmpfs: []string{"/run:rw,exec,size=64m,mode=1777"}}, dest: "/run", source: "tmpfs",
			opts: []string{"nosuid", "nodev", "rprivate", "rw", "exec", "size=64m", "mode=1777"}},
		{name: "tmpfs later option wins", o: Options{Tmpfs: []string{"/run:size=1m,size=2m,shared"}}, dest: "/run", source: "tmpfs",
			opts: []string{"noexec", "nosuid", "nodev", "size=2m", "shared"}},
		{name: "volume over /dev/shm replaces it", o: Options{Volumes: []string{"/srv/shm:/dev/shm"}}, dest: "/dev/shm", source: "/srv/shm", opts: []string{"rbind", "rprivate"}},
		{name: "read-only leaves tmpfs writable", o: Options{ReadOnly: true, Tmpfs: []string{"/tmp"}}, dest: "/tmp", source: "tmpfs", opts: []string{"noexec", "nosuid", "nodev", "rprivate"}},
		{name: "read-only leaves /dev/shm writable", o: Options{ReadOnly: true}, dest: "/dev/shm", source: "shm", opts: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=67108864"}},
		{name: "--mount bind", o: Options{Mounts: []string{"type=bind,source=/etc,target=/host-etc,readonly"}}, dest: "/host-etc", source: "/etc", opts: []string{"rbind", "ro", "rprivate"}},
		{name: "--mount bind rw with propagation", o: Options{Mounts: []string{"type=bind,src=/etc,dst=/host-etc,ro=false,bind-propagation=rslave"}}, dest: "/host-etc", source: "/etc", opts: []string{"rbind", "rslave"}},
		{name: "--mount tmpfs", o: Options{Mounts: []string{"type=tmpfs,target=/cache,tmpfs-size=64m,tmpfs-mode=1770"}}, dest: "/cache", source: "tmpfs",
			opts: []string{"noexec", "nosuid", "nodev", "rprivate", "mode=1770", "size=64m"}},
		{name: "--mount tmpfs read-only, odd size", o: Options{Mounts: []string{"type=tmpfs,destination=/cache,readonly,tmpfs-size=1000"}}, dest: "/cache", source: "tmpfs",
			opts: []string{"noexec", "nosuid", "nodev", "rprivate", "ro", "size=1000"}},
		{name: "read-only network files", o: Options{ReadOnly: true, NetworkFiles: NetworkFiles{Hosts: "/c/hosts"}}, dest: "/etc/hosts", source: "/c/hosts", opts: []string{"rbind", "ro", "rprivate"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := build(t, tc.o)
			n := 0
			for _, m := range s.Mounts {
				if m.Destination != tc.dest {
					continue
				}
				n++
				if m.Source != tc.source || !reflect.DeepEqual(m.Options, tc.opts) {
					t.Errorf("mount %s = %s %q, want %s %q", tc.dest, m.Source, m.Options, tc.source, tc.opts)
				}
			}
			if n != 1 {
				t.Errorf("%d mounts on %s, want 1", n, tc.dest)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
		err  string
	}{
		{name: "named volume", o: Options{Volumes: []string{"data:/data"}}, err: `-v "data:/data": named volumes are not supported`},
		{name: "anonymous volume", o: Options{Volumes: []string{"/data"}}, err: `-v "/data": anonymous volumes are not supported`},
		{name: "relative destination", o: Options{Volumes: []string{"/srv:data"}}, err: `-v "/srv:data": the destination must be an absolute path`},
		{name: "bad mode", o: Options{Volumes: []string{"/srv:/data:rx"}}, err: `-v "/srv:/data:rx": invalid mode "rx"`},
		{name: "ro and rw", o: Options{Volumes: []string{"/srv:/data:ro,rw"}}, err: `conflicting modes`},
		{name: "too many colons", o: Options{Volumes: []string{"/a:/b:ro:x"}}, err: `-v "/a:/b:ro:x": want HOST:DEST`},
		{name: "volume over root", o: Options{Volumes: []string{"/srv:/"}}, err: `cannot mount over /`},
		{name: "duplicate mount point", o: Options{Volumes: []string{"/srv:/data"}, Tmpfs: []string{"/data"}}, err: `--tmpfs: duplicate mount point /data (also given by -v)`},
		{name: "--mount missing bind source", o: Options{Mounts: []string{"type=bind,source=/nonexistent-src,target=/x"}}, err: `--mount "type=bind,source=/nonexistent-src,target=/x": bind source path does not exist: /nonexistent-src`},
		{name: "--mount volume", o: Options{Mounts: []string{"source=data,target=/data"}}, err: `volumes are not supported`},
		{name: "--mount no target", o: Options{Mounts: []string{"type=tmpfs"}}, err: `--mount "type=tmpfs": target is required`},
		{name: "--mount unknown key", o: Options{Mounts: []string{"type=tmpfs,target=/x,color=red"}}, err: `unsupported key "color"`},
		{name: "--mount bad mode", o: Options{Mounts: []string{"type=tmpfs,target=/x,tmpfs-mode=999"}}, err: `invalid tmpfs-mode "999"`},
		{name: "--mount tmpfs with source", o: Options{Mounts: []string{"type=tmpfs,source=/etc,target=/x"}}, err: `a tmpfs takes no source`},
		{name: "--mount and -v on one target", o: Options{Volumes: []string{"/etc:/x"}, Mounts: []string{"type=tmpfs,target=/x"}}, err: `--mount: duplicate mount point /x (also given by -v)`},
		{name: "relative tmpfs", o: Options{Tmpfs: []string{"tmp"}}, err: `--tmpfs "tmp": the destination must be an absolute path`},
		{name: "bad tmpfs option", o: Options{Tmpfs: []string{"/tmp:color=red"}}, err: `--tmpfs /tmp: invalid tmpfs option "color=red"`},
		{name: "bridge network", o: Options{Network: "bridge"}, err: `--network "bridge": ward supports none and host`},
		{name: "pid container", o: Options{PID: "container:x"}, err: `--pid "container:x"`},
		{name: "ipc shareable", o: Options{IPC: "shareable"}, err: `--ipc "shareable"`},
		{name: "relative workdir", o: Options{Workdir: "srv"}, err: `-w "srv": the working directory must be an absolute path`},
		{name: "unknown user", o: Options{User: "nobody-here"}, err: `--user "nobody-here": unable to find user nobody-here`},
		{name: "bad ulimit", o: Options{Ulimits: []string{"nofile=x"}}, err: `--ulimit "nofile=x"`},
		{name: "unknown capability", o: Options{CapAdd: []string{"FLY"}}, err: `--cap-add: unknown capability "FLY"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.Cmd = []string{"true"}
			o.Host = referenceHost(t)
			_, err := Build(o, testRootfs(t), testID)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
	if _, err := Build(Options{Host: referenceHost(t)}, testRootfs(t), testID); err == nil || !strings.Contains(err.Error(), "no command specified") {
		t.Errorf("no command: %v", err)
	}
}

func TestProbeHost(t *testing.T) {
	h, err := ProbeHost()
	if err != nil {
		t.Fatal(err)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(status), "CapBnd:") {
		t.Skip("skipped: /proc/self/status has no CapBnd line")
	}
	if os.Geteuid() == 0 && !contains(h.Capabilities, "CAP_CHOWN") {
		t.Errorf("root's bounding set lacks CAP_CHOWN: %v", h.Capabilities)
	}
	var null *specs.LinuxDevice
	for i, d := range h.Devices {
		if strings.HasPrefix(d.Path, "/dev/pts/") || d.Path == "/dev/console" {
			t.Errorf("host devices include %s", d.Path)
		}
		if d.Path == "/dev/null" {
			null = &h.Devices[i]
		}
	}
	if null == nil || null.Type != "c" || null.Major != 1 || null.Minor != 3 || null.FileMode == nil || *null.FileMode != 0o666 {
		t.Errorf("/dev/null = %+v, want c 1:3 mode 0666", null)
	}
	if h.CPUs < 1 || h.Hostname == "" {
		t.Errorf("host = %d CPUs, hostname %q", h.CPUs, h.Hostname)
	}
}

func TestWriteNetworkFiles(t *testing.T) {
	hostHosts := filepath.Join("testdata", "hostfiles", "hosts")
	for _, tc := range []struct {
		name, network, resolv string
		wantHosts, wantResolv string
	}{
		{name: "none, only a local resolver", network: "none", resolv: "resolv-local.conf",
			wantHosts: defaultHosts, wantResolv: "options edns0\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4"},
		{name: "none, mixed servers", network: "", resolv: "resolv-mixed.conf",
			wantHosts: defaultHosts, wantResolv: "# from dhcp\nnameserver 10.0.0.2\nsearch example.org\n"},
		{name: "host", network: "host", resolv: "resolv-mixed.conf",
			wantHosts: "127.0.0.1 localhost\n10.0.0.5 buildhost\n", wantResolv: "# from dhcp\nnameserver 10.0.0.2\nnameserver 127.0.0.1\nnameserver 2001:db8::1\nsearch example.org\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			nf, err := writeNetworkFiles(dir, "box", tc.network, hostHosts, filepath.Join("testdata", "hostfiles", tc.resolv))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []struct{ path, want string }{
				{nf.Hostname, "box\n"}, {nf.Hosts, tc.wantHosts}, {nf.ResolvConf, tc.wantResolv},
			} {
				got, err := os.ReadFile(f.path)
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != f.want {
					t.Errorf("%s = %q, want %q", filepath.Base(f.path), got, f.want)
				}
			}
			s := build(t, Options{NetworkFiles: nf})
			var n int
			for _, m := range s.Mounts {
				if strings.HasPrefix(m.Source, dir) {
					n++
				}
			}
			if n != 3 {
				t.Errorf("%d network file mounts in the spec, want 3", n)
			}
		})
	}
}
