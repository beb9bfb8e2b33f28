package bundle

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "rootfs"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		edit func(*specs.Spec)
		want string // "" for valid
	}{
		{"example", func(*specs.Spec) {}, ""},
		{"no-version", func(s *specs.Spec) { s.Version = "" }, "ociVersion"},
		{"no-root", func(s *specs.Spec) { s.Root = nil }, "root.path"},
		{"missing-rootfs", func(s *specs.Spec) { s.Root.Path = "nope" }, "does not exist"},
		{"no-process", func(s *specs.Spec) { s.Process = nil }, "process is not set"},
		{"empty-args", func(s *specs.Spec) { s.Process.Args = nil }, "args must not be empty"},
		{"relative-cwd", func(s *specs.Spec) { s.Process.Cwd = "x" }, "cwd"},
		{"unknown-rlimit", func(s *specs.Spec) { s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_X"}} }, "unknown rlimit"},
		{"soft-above-hard", func(s *specs.Spec) {
			s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: 2, Hard: 1}}
		}, "above the hard limit"},
		{"unknown-namespace", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: "time-travel"})
		}, "unknown namespace"},
		{"duplicate-namespace", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.PIDNamespace})
		}, "listed twice"},
		{"missing-namespace-path", func(s *specs.Spec) { s.Linux.Namespaces[0].Path = "/proc/999999999/ns/pid" }, "no such file"},
		{"wrong-namespace-type", func(s *specs.Spec) { s.Linux.Namespaces[0].Path = "/proc/self/ns/net" }, "another type"},
		{"mappings-without-userns", func(s *specs.Spec) {
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{Size: 1}}
		}, "need a user namespace"},
		{"userns-without-root-mapping", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 1, HostID: 1000, Size: 1}}
			s.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 1, HostID: 1000, Size: 1}}
		}, "container id 0"},
		{"hostname-without-uts", func(s *specs.Spec) {
			s.Linux.Namespaces = s.Linux.Namespaces[:3] // pid, network, ipc
		}, "hostname"},
		{"hostname-in-joined-uts", func(s *specs.Spec) {
			for i, ns := range s.Linux.Namespaces {
				if ns.Type == specs.UTSNamespace {
					s.Linux.Namespaces[i].Path = "/proc/self/ns/uts"
				}
			}
		}, ""},
		{"relative-mount", func(s *specs.Spec) { s.Mounts[0].Destination = "proc" }, "not an absolute path"},
		{"relative-masked-path", func(s *specs.Spec) { s.Linux.MaskedPaths = []string{"proc/kcore"} }, "not absolute"},
		{"namespaced-sysctls", func(s *specs.Spec) {
			s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1", "kernel.shmmax": "1", "fs.mqueue.msg_max": "10"}
		}, ""},
		{"host-sysctl", func(s *specs.Spec) { s.Linux.Sysctl = map[string]string{"vm.swappiness": "1"} }, "not namespaced"},
		{"net-sysctl-without-netns", func(s *specs.Spec) {
			s.Linux.Namespaces = s.Linux.Namespaces[:1] // pid only
			s.Hostname = ""
			s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1"}
		}, "needs a network namespace"},
		{"bad-propagation", func(s *specs.Spec) { s.Linux.RootfsPropagation = "sideways" }, "rootfsPropagation"},
		{"device-outside-dev", func(s *specs.Spec) {
			s.Linux.Devices = []specs.LinuxDevice{{Path: "/etc/evil", Type: "c"}}
		}, "not under /dev"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Example()
			tc.edit(s)
			err := Validate(dir, s)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("valid spec refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v is not ErrInvalid", err)
			}
		})
	}
}

func TestLoadBrokenJSON(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"ociVersion": `), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "config.json") {
		t.Fatalf("Load of broken JSON: %v", err)
	}
	if _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("Load without config.json: %v", err)
	}
}

func TestMakeRootless(t *testing.T) {
	s := Example()
	MakeRootless(s)
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "rootfs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Validate(dir, s); err != nil {
		t.Fatalf("rootless example does not validate: %v", err)
	}
	for _, m := range s.Mounts {
		for _, o := range m.Options {
			if o == "gid=5" {
				t.Errorf("rootless devpts keeps gid=5")
			}
		}
		if m.Type == "cgroup" {
			t.Errorf("rootless spec keeps a cgroup mount")
		}
	}
}
