package runspec

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func i64(n int64) *int64 { return &n }

func TestParseDevice(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want DeviceMapping
		err  string
	}{
		{in: "/dev/fuse", want: DeviceMapping{"/dev/fuse", "/dev/fuse", "rwm"}},
		{in: "/dev/fuse:r", want: DeviceMapping{"/dev/fuse", "/dev/fuse", "r"}},
		{in: "/dev/fuse:/dev/f", want: DeviceMapping{"/dev/fuse", "/dev/f", "rwm"}},
		{in: "/dev/fuse:/dev/f:mw", want: DeviceMapping{"/dev/fuse", "/dev/f", "mw"}},
		{in: "/dev/fuse:/dev/f:rr", err: `bad permissions "rr"`},
		{in: "/dev/fuse:/dev/f:x", err: `bad permissions "x"`},
		{in: "/dev/fuse:dev/f", err: `"dev/f" is not an absolute path`},
		{in: "/a:/b:r:w", err: "want HOST[:CONTAINER][:PERMISSIONS]"},
		{in: ":/dev/f", err: "no host path"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDevice(tc.in)
			checkErr(t, err, tc.err)
			if tc.err == "" && got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Fatalf("err = %v, want one containing %q", err, want)
	}
}

func TestParseDeviceCgroupRule(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want specs.LinuxDeviceCgroup
		err  string
	}{
		{in: "c 10:229 rwm", want: specs.LinuxDeviceCgroup{Allow: true, Type: "c", Major: i64(10), Minor: i64(229), Access: "rwm"}},
		{in: "b 7:* r", want: specs.LinuxDeviceCgroup{Allow: true, Type: "b", Major: i64(7), Minor: i64(-1), Access: "r"}},
		{in: "a *:* rwm", want: specs.LinuxDeviceCgroup{Allow: true, Type: "a", Major: i64(-1), Minor: i64(-1), Access: "rwm"}},
		{in: "x 1:2 r", err: "want TYPE MAJOR:MINOR ACCESS"},
		{in: "c 1:2", err: "want TYPE MAJOR:MINOR ACCESS"},
		{in: "c 1:2 rwx", err: "want TYPE MAJOR:MINOR ACCESS"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDeviceCgroupRule(tc.in)
			checkErr(t, err, tc.err)
			if tc.err == "" && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseSysctl(t *testing.T) {
	for _, tc := range []struct {
		in  string
		o   Options
		err string
	}{
		{in: "net.ipv4.ip_unprivileged_port_start=80"},
		{in: "net.core.somaxconn=1024"},
		{in: "kernel.shmmni=8192"},
		{in: "kernel.sem=250 32000 32 128"},
		{in: "fs.mqueue.msg_max=20"},
		{in: "kernel.pid_max=100000", err: "kernel.pid_max is not namespaced"},
		{in: "vm.swappiness=10", err: "vm.swappiness is not namespaced"},
		{in: "kernel.hostname=x", err: "kernel.hostname is not namespaced"},
		{in: "net.core.somaxconn=1", o: Options{Network: "host"}, err: "with --network host"},
		{in: "kernel.shmmni=1", o: Options{IPC: "host"}, err: "with --ipc host"},
		{in: "net.core.somaxconn", err: "want KEY=VALUE"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			_, _, err := ParseSysctl(tc.in, tc.o)
			checkErr(t, err, tc.err)
		})
	}
}

// A host device node: /dev/null exists everywhere, with its mode and
// owner taken from the host, and the rule allowing exactly it.
func TestBuildDevice(t *testing.T) {
	var st unix.Stat_t
	if err := unix.Stat("/dev/null", &st); err != nil {
		t.Skipf("skipped: no /dev/null: %v", err)
	}
	s := build(t, Options{Devices: []string{"/dev/null:/dev/mynull:rw"}})
	mode := os.FileMode(st.Mode &^ unix.S_IFMT)
	uid, gid := st.Uid, st.Gid
	wantDev := specs.LinuxDevice{Path: "/dev/mynull", Type: "c", Major: 1, Minor: 3, FileMode: &mode, UID: &uid, GID: &gid}
	if len(s.Linux.Devices) != 1 || !reflect.DeepEqual(s.Linux.Devices[0], wantDev) {
		t.Errorf("devices = %+v, want [%+v]", s.Linux.Devices, wantDev)
	}
	rules := s.Linux.Resources.Devices
	wantRule := specs.LinuxDeviceCgroup{Allow: true, Type: "c", Major: i64(1), Minor: i64(3), Access: "rw"}
	if !reflect.DeepEqual(rules[:len(defaultDeviceRules())], defaultDeviceRules()) || !reflect.DeepEqual(rules[len(rules)-1], wantRule) {
		t.Errorf("device rules = %+v, want Docker's defaults then %+v", rules, wantRule)
	}
}

// A directory brings every node under it, at the same place under the
// container path; a path that is neither fails naming it.
func TestBuildDeviceDirectory(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipped: making device nodes needs root")
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "sub/b"} {
		if err := unix.Mknod(filepath.Join(dir, n), unix.S_IFCHR|0o600, int(unix.Mkdev(1, 3))); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "plain"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := build(t, Options{Devices: []string{dir + ":/dev/set"}})
	var paths []string
	for _, d := range s.Linux.Devices {
		paths = append(paths, d.Path)
	}
	if want := []string{"/dev/set/a", "/dev/set/sub/b"}; !reflect.DeepEqual(paths, want) {
		t.Errorf("devices %v, want %v", paths, want)
	}
	_, err := Build(Options{Host: referenceHost(t), Cmd: []string{"true"}, Devices: []string{filepath.Join(dir, "plain")}}, testRootfs(t), testID)
	checkErr(t, err, "--device "+filepath.Join(dir, "plain")+": not a device node")
}

func TestBuildLeastPrivilege(t *testing.T) {
	s := build(t, Options{
		DeviceCgroupRules: []string{"b 7:* rm"},
		Sysctls:           []string{"net.ipv4.ip_unprivileged_port_start=1024", "kernel.shmmni=8192"},
		CgroupNS:          "private",
		OOMScoreAdj:       500,
		OOMKillDisable:    true,
		Memory:            "64m",
	})
	rules := s.Linux.Resources.Devices
	if want := (specs.LinuxDeviceCgroup{Allow: true, Type: "b", Major: i64(7), Minor: i64(-1), Access: "rm"}); !reflect.DeepEqual(rules[len(rules)-1], want) {
		t.Errorf("last device rule %+v, want %+v", rules[len(rules)-1], want)
	}
	// The user's value wins over Docker's own default.
	if got := s.Linux.Sysctl["net.ipv4.ip_unprivileged_port_start"]; got != "1024" {
		t.Errorf("ip_unprivileged_port_start %q, want 1024", got)
	}
	if got := s.Linux.Sysctl["kernel.shmmni"]; got != "8192" {
		t.Errorf("kernel.shmmni %q, want 8192", got)
	}
	if !hasNamespaceType(s, specs.CgroupNamespace) {
		t.Errorf("no cgroup namespace in %+v", s.Linux.Namespaces)
	}
	if *s.Process.OOMScoreAdj != 500 {
		t.Errorf("oomScoreAdj %d, want 500", *s.Process.OOMScoreAdj)
	}
	if !*s.Linux.Resources.Memory.DisableOOMKiller {
		t.Errorf("disableOOMKiller false, want true")
	}
	// Docker's default on a cgroup v1 or hybrid host: the host's.
	if d := build(t, Options{}); hasNamespaceType(d, specs.CgroupNamespace) {
		t.Errorf("a cgroup namespace by default on a host that is not cgroup v2 alone")
	}
	// ... and on a cgroup v2 host a private one.
	host := referenceHost(t)
	host.CgroupUnified = true
	if d := build(t, Options{Host: host}); !hasNamespaceType(d, specs.CgroupNamespace) {
		t.Errorf("no cgroup namespace by default on a cgroup v2 host")
	}
	if d := build(t, Options{Host: host, CgroupNS: "host"}); hasNamespaceType(d, specs.CgroupNamespace) {
		t.Errorf("--cgroupns host gave a cgroup namespace")
	}
}

func hasNamespaceType(s *specs.Spec, typ specs.LinuxNamespaceType) bool {
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == typ {
			return true
		}
	}
	return false
}

// --privileged already has every device: Docker ignores --device then.
func TestBuildDevicePrivileged(t *testing.T) {
	host := referenceHost(t)
	s := build(t, Options{Host: host, Privileged: true, Devices: []string{"/dev/null:/dev/mynull"}})
	if !reflect.DeepEqual(s.Linux.Devices, host.Devices) {
		t.Errorf("privileged devices are not the host's")
	}
	if len(s.Linux.Resources.Devices) != 1 || !s.Linux.Resources.Devices[0].Allow {
		t.Errorf("privileged device rules %+v, want allow all", s.Linux.Resources.Devices)
	}
}

func TestBuildGroupAdd(t *testing.T) {
	for _, tc := range []struct {
		user   string
		groups []string
		want   []uint32
		err    string
	}{
		{groups: []string{"audio"}, want: []uint32{0, 29}},
		{groups: []string{"5000", "extra"}, want: []uint32{0, 1002, 5000}},
		{user: "app", groups: []string{"audio"}, want: []uint32{1001, 1002, 29}},
		{user: "app:audio", groups: []string{"nogroup"}, want: []uint32{29, 65534}},
		{user: "app", groups: []string{"extra", "0"}, want: []uint32{1001, 1002, 0}},
		{groups: []string{"ghosts"}, err: "unable to find group ghosts"},
	} {
		t.Run(tc.user+" "+strings.Join(tc.groups, ","), func(t *testing.T) {
			s, err := Build(Options{Host: referenceHost(t), Cmd: []string{"true"}, User: tc.user, GroupAdd: tc.groups}, testRootfs(t), testID)
			checkErr(t, err, tc.err)
			if tc.err == "" && !reflect.DeepEqual(s.Process.User.AdditionalGids, tc.want) {
				t.Errorf("additionalGids %v, want %v", s.Process.User.AdditionalGids, tc.want)
			}
		})
	}
}

// Flags that fail, each naming what is at fault; Check finds them without
// a root filesystem, as the engine calls it before making anything.
func TestCheckRefuses(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"defaultAction": "SCMP_ACT_NOPE"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	notJSON := filepath.Join(dir, "not.json")
	if err := os.WriteFile(notJSON, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := referenceHost(t)
	old.LastCap = capability.CAP_AUDIT_READ // a 5.7 kernel: no PERFMON, BPF, CHECKPOINT_RESTORE
	for _, tc := range []struct {
		name string
		o    Options
		err  string
	}{
		{"sysctl not namespaced", Options{Sysctls: []string{"kernel.pid_max=1"}}, "kernel.pid_max is not namespaced"},
		{"missing device", Options{Devices: []string{"/dev/no-such-device"}}, "--device /dev/no-such-device: stat /dev/no-such-device: no such file or directory"},
		{"bad device rule", Options{DeviceCgroupRules: []string{"c 1 r"}}, `--device-cgroup-rule "c 1 r"`},
		{"cgroupns", Options{CgroupNS: "shared"}, `--cgroupns "shared": want private or host`},
		{"oom-score-adj range", Options{OOMScoreAdj: 1001}, "--oom-score-adj 1001: out of range"},
		{"oom-score-adj needs CAP_SYS_RESOURCE", Options{OOMScoreAdj: -500}, "needs CAP_SYS_RESOURCE"},
		{"apparmor profile without AppArmor", Options{SecurityOpt: []string{"apparmor=docker-default"}}, "apparmor=docker-default: this host has no AppArmor"},
		{"label without SELinux", Options{SecurityOpt: []string{"label=type:svirt_lxc_net_t"}}, "label=type:svirt_lxc_net_t: this host has no SELinux"},
		{"bad label", Options{SecurityOpt: []string{"label=nonsense"}}, "want label=disable"},
		{"seccomp profile missing", Options{SecurityOpt: []string{"seccomp=" + filepath.Join(dir, "none.json")}}, "no such file"},
		{"seccomp profile not JSON", Options{SecurityOpt: []string{"seccomp=" + notJSON}}, "seccomp=" + notJSON},
		{"seccomp profile bad action", Options{SecurityOpt: []string{"seccomp=" + bad}}, "seccomp=" + bad},
		{"cap-add the kernel lacks", Options{Host: old, CapAdd: []string{"bpf"}}, "--cap-add CAP_BPF: this host's kernel does not know it (its last capability is CAP_AUDIT_READ)"},
		{"cap-drop the kernel lacks", Options{Host: old, CapDrop: []string{"CAP_PERFMON"}}, "--cap-drop CAP_PERFMON: this host's kernel does not know it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.o.Host == nil {
				tc.o.Host = referenceHost(t)
			}
			checkErr(t, Check(tc.o), tc.err)
			tc.o.Cmd = []string{"true"}
			_, err := Build(tc.o, testRootfs(t), testID)
			checkErr(t, err, tc.err)
		})
	}
}

// What is accepted everywhere: no confinement asked for on a host
// without the LSM; the kernel's own capabilities with an older kernel.
func TestCheckAccepts(t *testing.T) {
	old := referenceHost(t)
	old.LastCap = capability.CAP_AUDIT_READ
	for _, o := range []Options{
		{SecurityOpt: []string{"apparmor=unconfined", "label=disable", "label:disable"}},
		{SecurityOpt: []string{"seccomp=" + filepath.Join("testdata", "profile-deny-mkdir.json")}},
		{Host: old, CapAdd: []string{"NET_ADMIN", "ALL"}},
		{OOMScoreAdj: 1000, OOMKillDisable: true},
	} {
		if o.Host == nil {
			o.Host = referenceHost(t)
		}
		if err := Check(o); err != nil {
			t.Errorf("Check(%+v): %v", o, err)
		}
		s := build(t, o)
		if s.Process.ApparmorProfile != "" {
			t.Errorf("apparmor profile %q on a host without AppArmor", s.Process.ApparmorProfile)
		}
	}
	// Where AppArmor is on, the profile asked for is the spec's.
	host := referenceHost(t)
	host.AppArmor = true
	for _, p := range []string{"unconfined", "my-profile"} {
		if s := build(t, Options{Host: host, SecurityOpt: []string{"apparmor=" + p}}); s.Process.ApparmorProfile != p {
			t.Errorf("apparmor=%s: spec profile %q", p, s.Process.ApparmorProfile)
		}
	}
}
