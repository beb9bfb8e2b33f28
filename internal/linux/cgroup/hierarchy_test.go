package cgroup

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func openTestdata(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestDetectMode(t *testing.T) {
	tests := []struct {
		file       string
		want       Mode
		mounts     map[string]string // key -> expected mount point
		notMounted []string
	}{
		{
			file: "mountinfo-hybrid", want: Hybrid,
			mounts: map[string]string{
				"memory": "/sys/fs/cgroup/memory", "cpu": "/sys/fs/cgroup/cpu", "cpuacct": "/sys/fs/cgroup/cpuacct",
				"name=systemd": "/sys/fs/cgroup/systemd", UnifiedKey: "/sys/fs/cgroup/unified",
			},
			notMounted: []string{"hugetlb", "rw", "net_cls"},
		},
		{
			file: "mountinfo-legacy", want: Legacy,
			mounts: map[string]string{
				"cpu": "/sys/fs/cgroup/cpu,cpuacct", "cpuacct": "/sys/fs/cgroup/cpu,cpuacct",
				"net_prio": "/sys/fs/cgroup/net_cls,net_prio", "cpuset": "/sys/fs/cgroup/cpuset",
				"name=systemd": "/sys/fs/cgroup/systemd",
			},
			notMounted: []string{UnifiedKey, "xattr", "clone_children", "release_agent=/lib/systemd/systemd-cgroups-agent"},
		},
		{
			file: "mountinfo-unified", want: Unified,
			mounts: map[string]string{UnifiedKey: "/sys/fs/cgroup"},
		},
		{
			file: "mountinfo-unified-nested", want: Unified,
			mounts:     map[string]string{UnifiedKey: "/sys/fs/cgroup"},
			notMounted: []string{"name=systemd"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := DetectMode(openTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("mode = %v, want %v", got, tt.want)
			}
			h, err := parseMountinfo(openTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			for k, want := range tt.mounts {
				if h[k].Point != want {
					t.Errorf("hierarchy %s mounted at %q, want %q", k, h[k].Point, want)
				}
			}
			for _, k := range tt.notMounted {
				if _, ok := h[k]; ok {
					t.Errorf("hierarchy %q should not be listed", k)
				}
			}
		})
	}
}

func TestDetectModeNoCgroups(t *testing.T) {
	_, err := DetectMode(openTestdata(t, "mountinfo-none"))
	if !errors.Is(err, ErrNotSupported) {
		t.Fatalf("err = %v, want ErrNotSupported", err)
	}
}

func TestNewPaths(t *testing.T) {
	tests := []struct {
		name        string
		host        string // testdata suffix
		cgroupsPath string
		id          string
		want        map[string]string
		keys        int
	}{
		{
			name: "hybrid absolute", host: "hybrid", cgroupsPath: "/k8s.io/abc",
			want: map[string]string{
				"memory":       "/sys/fs/cgroup/memory/k8s.io/abc",
				"pids":         "/sys/fs/cgroup/pids/k8s.io/abc",
				UnifiedKey:     "/sys/fs/cgroup/unified/k8s.io/abc",
				"name=systemd": "/sys/fs/cgroup/systemd/k8s.io/abc",
			},
			keys: 10,
		},
		{
			name: "hybrid relative follows own cgroup", host: "hybrid", cgroupsPath: "ctr/one",
			want: map[string]string{
				"memory":   "/sys/fs/cgroup/memory/process_api/ee37d0fd4938a8c53830f85067d31aef/ctr/one",
				"cpu":      "/sys/fs/cgroup/cpu/ctr/one",
				UnifiedKey: "/sys/fs/cgroup/unified/ctr/one",
			},
			keys: 10,
		},
		{
			name: "hybrid default", host: "hybrid", id: "c1",
			want: map[string]string{"freezer": "/sys/fs/cgroup/freezer/ward/c1", UnifiedKey: "/sys/fs/cgroup/unified/ward/c1"},
			keys: 10,
		},
		{
			name: "absolute path cannot climb out", host: "hybrid", cgroupsPath: "/../../etc/x",
			want: map[string]string{"memory": "/sys/fs/cgroup/memory/etc/x"},
			keys: 10,
		},
		{
			name: "absolute path with colons is a cgroupfs path", host: "hybrid", cgroupsPath: "/a:b:c",
			want: map[string]string{"memory": "/sys/fs/cgroup/memory/a:b:c"},
			keys: 10,
		},
		{
			name: "legacy co-mounted controllers share a directory", host: "legacy", cgroupsPath: "/a",
			want: map[string]string{"cpu": "/sys/fs/cgroup/cpu,cpuacct/a", "cpuacct": "/sys/fs/cgroup/cpu,cpuacct/a", "hugetlb": "/sys/fs/cgroup/hugetlb/a"},
			keys: 12,
		},
		{
			name: "legacy relative", host: "legacy", cgroupsPath: "a",
			want: map[string]string{
				"memory":  "/sys/fs/cgroup/memory/system.slice/ssh.service/a",
				"cpuacct": "/sys/fs/cgroup/cpu,cpuacct/system.slice/ssh.service/a",
				"cpuset":  "/sys/fs/cgroup/cpuset/a",
			},
			keys: 12,
		},
		{
			name: "unified relative", host: "unified", cgroupsPath: "x",
			want: map[string]string{UnifiedKey: "/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope/x"},
			keys: 1,
		},
		{
			name: "unified relative below a sub-cgroup mount", host: "unified-nested", cgroupsPath: "x",
			want: map[string]string{UnifiedKey: "/sys/fs/cgroup/init/x"},
			keys: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := parseMountinfo(openTestdata(t, "mountinfo-"+tt.host))
			if err != nil {
				t.Fatal(err)
			}
			own, err := parseProcCgroup(openTestdata(t, "cgroup-"+tt.host))
			if err != nil {
				t.Fatal(err)
			}
			m, err := newManager(h, own, tt.cgroupsPath, tt.id)
			if err != nil {
				t.Fatal(err)
			}
			paths := m.Paths()
			for k, want := range tt.want {
				if paths[k] != want {
					t.Errorf("path %s = %q, want %q", k, paths[k], want)
				}
			}
			if len(paths) != tt.keys {
				t.Errorf("%d hierarchies, want %d: %v", len(paths), tt.keys, paths)
			}
			loaded, err := Load(paths)
			if err != nil {
				t.Fatal(err)
			}
			if loaded.Mode() != m.Mode() {
				t.Errorf("Load gives mode %v, New gave %v", loaded.Mode(), m.Mode())
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name        string
		cgroupsPath string
		id          string
		wantErr     error
		wantText    string
	}{
		{"systemd slice path", "system.slice:docker:abc", "abc", ErrSystemdPath, "system.slice:docker:abc"},
		{"systemd path with empty slice", ":ward:abc", "abc", ErrSystemdPath, "not supported"},
		{"root cgroup", "/", "abc", nil, "root cgroup"},
		{"root cgroup spelled long", "/a/..", "abc", nil, "root cgroup"},
		{"relative climbing out", "../other", "abc", nil, "leaves the runtime's own cgroup"},
		{"no path and no id", "", "", nil, "invalid container id"},
		{"id with slash", "", "a/b", nil, "invalid container id"},
	}
	h, err := parseMountinfo(openTestdata(t, "mountinfo-hybrid"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newManager(h, map[string]string{}, tt.cgroupsPath, tt.id)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("err = %q, want it to mention %q", err, tt.wantText)
			}
		})
	}
}

func TestLoadRejects(t *testing.T) {
	for name, paths := range map[string]map[string]string{
		"empty":    {},
		"relative": {"memory": "ward/x"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Load(paths); err == nil {
				t.Error("no error")
			}
		})
	}
}
