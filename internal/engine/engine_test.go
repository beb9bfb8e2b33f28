package engine

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/ociruntime"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/runspec"
)

func TestHostConfig(t *testing.T) {
	limit := int64(100)
	for _, tc := range []struct {
		name    string
		req     CreateRequest
		check   func(record.HostConfig) bool
		wantErr bool
	}{
		{"defaults", CreateRequest{}, func(h record.HostConfig) bool {
			return h.NetworkMode == "none" && h.IpcMode == "private" && !h.Privileged && h.CapAdd == nil
		}, false},
		{"capabilities spelled as docker", CreateRequest{Run: runspec.Options{CapAdd: []string{"net_admin", "CAP_SYS_TIME"}, CapDrop: []string{"all"}}},
			func(h record.HostConfig) bool {
				return slices.Equal(h.CapAdd, []string{"CAP_NET_ADMIN", "CAP_SYS_TIME"}) && slices.Equal(h.CapDrop, []string{"ALL"})
			}, false},
		{"limits", CreateRequest{Run: runspec.Options{Memory: "512m", MemorySwap: "1g", CPUs: "1.5", PidsLimit: &limit, Ulimits: []string{"nofile=1024:2048"}}},
			func(h record.HostConfig) bool {
				return h.Memory == 512<<20 && h.MemorySwap == 1<<30 && h.NanoCpus == 1_500_000_000 && *h.PidsLimit == 100 &&
					len(h.Ulimits) == 1 && h.Ulimits[0] == record.Ulimit{Name: "nofile", Soft: 1024, Hard: 2048}
			}, false},
		{"tmpfs and binds", CreateRequest{Run: runspec.Options{Tmpfs: []string{"/run:size=1m"}, Volumes: []string{"/srv:/data:ro"}}},
			func(h record.HostConfig) bool {
				return h.Tmpfs["/run"] == "size=1m" && slices.Equal(h.Binds, []string{"/srv:/data:ro"})
			}, false},
		{"host namespaces", CreateRequest{Run: runspec.Options{Network: "host", PID: "host", IPC: "host"}, AutoRemove: true},
			func(h record.HostConfig) bool {
				return h.NetworkMode == "host" && h.PidMode == "host" && h.IpcMode == "host" && h.AutoRemove
			}, false},
		{"unknown capability", CreateRequest{Run: runspec.Options{CapAdd: []string{"BOGUS"}}}, nil, true},
		{"bad memory", CreateRequest{Run: runspec.Options{Memory: "lots"}}, nil, true},
		{"bad security option", CreateRequest{Run: runspec.Options{SecurityOpt: []string{"apparmor-ish"}}}, nil, true},
		{"relative tmpfs", CreateRequest{Run: runspec.Options{Tmpfs: []string{"run"}}}, nil, true},
		{"bad ulimit", CreateRequest{Run: runspec.Options{Ulimits: []string{"nofile"}}}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := hostConfig(tc.req)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("no error; got %+v", h)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(h) {
				t.Errorf("unexpected host config %+v", h)
			}
		})
	}
}

func TestMountToVolume(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		wantErr  bool
	}{
		{"type=bind,source=/srv,target=/data", "/srv:/data:rw", false},
		{"type=bind,src=/srv,dst=/data,readonly", "/srv:/data:ro", false},
		{"type=bind,source=/srv,target=/data,readonly=false,bind-propagation=rslave", "/srv:/data:rw,rslave", false},
		{"type=volume,source=v,target=/data", "", true},
		{"type=bind,target=/data", "", true},
		{"type=bind,source=/a,target=/b,colour=red", "", true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := MountToVolume(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("MountToVolume = %q, %v; want %q (error %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		msg  string
		want int
	}{
		{`exec: "nosuch": executable file not found in $PATH`, 127},
		{`exec: "/bin/gone": stat /bin/gone: no such file or directory`, 127},
		{`exec: "/etc/passwd": permission denied`, 126},
		{`exec: "/etc": is a directory`, 126},
		{`cgroup: write memory.max: invalid argument`, 125},
	} {
		t.Run(tc.msg, func(t *testing.T) {
			// The runtime's failures come as *ociruntime.Error; words in
			// ward's own errors never make a 126 or 127.
			if got := classify(&ociruntime.Error{Op: "create", ID: "x", Msg: tc.msg}); got != tc.want {
				t.Errorf("classify = %d, want %d", got, tc.want)
			}
			if got := classify(errors.New(tc.msg)); got != 125 {
				t.Errorf("classify of ward's own error = %d, want 125", got)
			}
		})
	}
}

func TestPsRow(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	c := &record.Container{ID: record.NewID(), Name: "/web", Created: now.Add(-3 * time.Minute), Path: "sh", Args: []string{"-c", "sleep 1000; echo done"},
		Config: record.Config{Image: "busybox"}, HostConfig: record.HostConfig{NetworkMode: "none"}}
	for _, tc := range []struct {
		name   string
		state  record.State
		status string
	}{
		{"created", record.State{Status: record.StatusCreated}, "Created"},
		{"running", record.State{Status: record.StatusRunning, Running: true, StartedAt: now.Add(-90 * time.Second)}, "Up About a minute"},
		{"exited", record.State{Status: record.StatusExited, ExitCode: 137, FinishedAt: now.Add(-5 * time.Second)}, "Exited (137) 5 seconds ago"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.State = tc.state
			row := PsRow(c, now)
			if row.Status != tc.status || row.ID != c.ID[:12] || row.Names != "web" || row.RunningFor != "3 minutes ago" {
				t.Errorf("row %+v, want status %q", row, tc.status)
			}
			if row.Command != `"sh -c sleep 1000; e…"` {
				t.Errorf("command %s, want docker's 20-character cut", row.Command)
			}
		})
	}
}
