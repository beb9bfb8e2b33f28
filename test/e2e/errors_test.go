package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/testutil"
)

// leftovers lists what a failed create of a bundle in dir could leave on
// the host: mounts under the bundle, processes whose root or working
// directory is in it, and the container's cgroup. Other test packages run
// containers at the same time, so only traces of this bundle count.
func leftovers(t *testing.T, dir, id string) []string {
	t.Helper()
	var found []string
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) > 4 && strings.HasPrefix(f[4], dir) {
			found = append(found, "mount "+f[4])
		}
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		for _, link := range []string{"root", "cwd"} {
			if p, err := os.Readlink("/proc/" + e.Name() + "/" + link); err == nil && strings.HasPrefix(p, dir) {
				found = append(found, "process "+e.Name()+" ("+link+" "+p+")")
			}
		}
	}
	for _, h := range []string{"pids", "memory", "devices", "freezer", "unified"} {
		if _, err := os.Stat(filepath.Join("/sys/fs/cgroup", h, "ward", id)); err == nil {
			found = append(found, "cgroup "+h+"/ward/"+id)
		}
	}
	return found
}

func TestBadInputFailsCleanly(t *testing.T) {
	testutil.RequireRoot(t)
	r := newWard(t)
	var hardNofile uint64
	if data, err := os.ReadFile("/proc/self/limits"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if f := strings.Fields(l); len(f) >= 6 && f[1] == "open" && f[2] == "files" {
				hardNofile, _ = strconv.ParseUint(f[4], 10, 64)
			}
		}
	}
	negative := -500
	cases := []struct {
		name string
		edit func(t *testing.T, dir string, s *specs.Spec)
		want string // in the error line
	}{
		{"broken-json", func(t *testing.T, dir string, s *specs.Spec) {
			if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"ociVersion": "1.0.2", "process": {`), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "config.json"},
		{"unknown-capability", func(_ *testing.T, _ string, s *specs.Spec) {
			s.Process.Capabilities.Effective = append(s.Process.Capabilities.Effective, "CAP_BOGUS")
		}, `unknown capability "CAP_BOGUS" in the effective set`},
		{"capability-without-prefix", func(_ *testing.T, _ string, s *specs.Spec) {
			s.Process.Capabilities.Bounding = append(s.Process.Capabilities.Bounding, "NET_ADMIN")
		}, `unknown capability "NET_ADMIN"`},
		{"capability-the-host-lacks", func(_ *testing.T, _ string, s *specs.Spec) {
			s.Process.Capabilities.Effective = append(s.Process.Capabilities.Effective, "CAP_SYS_RESOURCE")
			s.Process.Capabilities.Permitted = append(s.Process.Capabilities.Permitted, "CAP_SYS_RESOURCE")
		}, "CAP_SYS_RESOURCE in the effective set cannot be granted"},
		{"missing-rootfs", func(_ *testing.T, _ string, s *specs.Spec) { s.Root.Path = "no-such-rootfs" }, "does not exist"},
		{"empty-args", func(_ *testing.T, _ string, s *specs.Spec) { s.Process.Args = nil }, "args must not be empty"},
		{"namespace-path-missing", func(_ *testing.T, _ string, s *specs.Spec) {
			s.Linux.Namespaces[1].Path = "/proc/999999999/ns/net"
		}, "/proc/999999999/ns/net"},
		{"namespace-path-wrong-type", func(_ *testing.T, _ string, s *specs.Spec) {
			for i, ns := range s.Linux.Namespaces {
				if ns.Type == specs.NetworkNamespace {
					s.Linux.Namespaces[i].Path = "/proc/self/ns/ipc"
				}
			}
		}, "namespace of another type"},
		{"executable-not-found", func(_ *testing.T, _ string, s *specs.Spec) { s.Process.Args = []string{"no-such-program"} }, "executable file not found"},
		{"unknown-mount-type", func(_ *testing.T, _ string, s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/mnt", Type: "nosuchfs", Source: "x"})
		}, "/mnt"},
		{"bind-source-missing", func(_ *testing.T, _ string, s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/data", Type: "bind", Source: "/no/such/dir", Options: []string{"rbind"}})
		}, "/no/such/dir"},
		{"negative-oom-score-adj", func(_ *testing.T, _ string, s *specs.Spec) { s.Process.OOMScoreAdj = &negative }, "CAP_SYS_RESOURCE"},
		{"rlimit-above-host-hard-limit", func(_ *testing.T, _ string, s *specs.Spec) {
			s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: 1024, Hard: hardNofile + 1}}
		}, "CAP_SYS_RESOURCE"},
		{"unknown-rlimit", func(_ *testing.T, _ string, s *specs.Spec) {
			s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_BOGUS", Soft: 1, Hard: 1}}
		}, `unknown rlimit "RLIMIT_BOGUS"`},
		{"relative-cwd", func(_ *testing.T, _ string, s *specs.Spec) { s.Process.Cwd = "tmp" }, "not an absolute path"},
		{"user-namespace-without-mappings", func(_ *testing.T, _ string, s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
		}, "uidMappings"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var dir string
			dir = testutil.Bundle(t, []string{"true"}, func(s *specs.Spec) {})
			s := readSpec(t, dir)
			tc.edit(t, dir, s)
			if tc.name != "broken-json" {
				testutil.WriteSpec(t, dir, s)
			}
			logFile := filepath.Join(t.TempDir(), "log.json")
			id := containerID(t)
			res := r.cmd("--log", logFile, "--log-format", "json", "create", "--bundle", dir, id)
			if res.code == 0 {
				r.cmd("delete", "--force", id)
				t.Fatalf("create succeeded; want an error containing %q", tc.want)
			}
			if lines := strings.Split(strings.TrimSpace(res.stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
				t.Errorf("stderr: want one line containing %q, got:\n%s", tc.want, res.stderr)
			}
			data, err := os.ReadFile(logFile)
			if err != nil {
				t.Fatalf("no log file: %v", err)
			}
			logLines := strings.Split(strings.TrimSpace(string(data)), "\n")
			var entry struct{ Level, Msg, Time string }
			if err := json.Unmarshal([]byte(logLines[len(logLines)-1]), &entry); err != nil || entry.Level != "error" || !strings.Contains(entry.Msg, tc.want) || entry.Time == "" {
				t.Errorf("last log line %q: want {level:error, msg containing %q, time}", logLines[len(logLines)-1], tc.want)
			}
			if _, err := os.Stat(filepath.Join(r.root, id)); !os.IsNotExist(err) {
				t.Errorf("a failed create left its state directory: %v", err)
			}
			if ls := r.cmd("list", "-q"); strings.TrimSpace(ls.stdout) != "" {
				t.Errorf("list after a failed create: %q", ls.stdout)
			}
			if left := leftovers(t, dir, id); len(left) > 0 {
				t.Errorf("a failed create left behind: %v", left)
			}
		})
	}
}

func TestIDInUseAndInvalid(t *testing.T) {
	testutil.RequireRoot(t)
	r := newWard(t)
	dir := testutil.Bundle(t, []string{"sleep", "60"}, nil)
	id := containerID(t)
	if res := r.cmd("run", "--detach", "--bundle", dir, id); res.code != 0 {
		t.Fatalf("run: exit %d: %s", res.code, res.stderr)
	}
	defer r.cmd("delete", "--force", id)
	pid := r.state(t, id).Pid
	// The leftover detector sees a live container: it can see a leak.
	if left := leftovers(t, dir, id); len(left) < 2 {
		t.Errorf("leftovers of a running container: %v, want its process and cgroup", left)
	}
	res := r.cmd("create", "--bundle", dir, id)
	if res.code == 0 || !strings.Contains(res.stderr, "container with given ID already exists") {
		t.Errorf("second create with the same ID: exit %d, stderr %q", res.code, res.stderr)
	}
	if st := r.state(t, id); st.Status != specs.StateRunning || st.Pid != pid {
		t.Errorf("the first container was disturbed: %+v", st)
	}
	for _, bad := range []string{"../escape", "a/b", ".."} {
		if res := r.cmd("create", "--bundle", dir, bad); res.code == 0 || !strings.Contains(res.stderr, "invalid container id") {
			t.Errorf("create %q: exit %d, stderr %q", bad, res.code, res.stderr)
		}
	}
	if res := r.cmd("delete", "no-such-container"); res.code == 0 || !strings.Contains(res.stderr, "does not exist") {
		t.Errorf("delete of a missing container: exit %d, stderr %q", res.code, res.stderr)
	}
	if res := r.cmd("delete", "--force", "no-such-container"); res.code != 0 {
		t.Errorf("delete --force of a missing container should succeed, as runc's: exit %d, %s", res.code, res.stderr)
	}
	if res := r.cmd("kill", "no-such-container"); res.code == 0 || !strings.Contains(res.stderr, "does not exist") {
		t.Errorf("kill of a missing container: exit %d, stderr %q", res.code, res.stderr)
	}
}

func readSpec(t *testing.T, dir string) *specs.Spec {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s specs.Spec
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// The runtime-spec: deleting a container that is not stopped is an error
// and has no effect. runc 1.1 quietly kills a created one; we refuse.
func TestDeleteOfCreatedContainerIsRefused(t *testing.T) {
	testutil.RequireRoot(t)
	r := newWard(t)
	dir := testutil.Bundle(t, []string{"true"}, nil)
	id := containerID(t)
	if res := r.cmd("create", "--bundle", dir, id); res.code != 0 {
		t.Fatalf("create: %s", res.stderr)
	}
	defer r.cmd("delete", "--force", id)
	if res := r.cmd("delete", id); res.code == 0 || !strings.Contains(res.stderr, "is not stopped: created") {
		t.Errorf("delete of a created container: exit %d, %q", res.code, res.stderr)
	}
	if st := r.state(t, id); st.Status != specs.StateCreated {
		t.Errorf("the refused delete changed the container: %s", st.Status)
	}
	if res := r.cmd("delete", "--force", id); res.code != 0 {
		t.Errorf("delete --force: %s", res.stderr)
	}
	if left := leftovers(t, dir, id); len(left) > 0 {
		t.Errorf("delete --force left: %v", left)
	}
}

// A security setting the host cannot apply is refused, not ignored.
func TestUnappliableLSMSettingsAreRefused(t *testing.T) {
	testutil.RequireRoot(t)
	r := newWard(t)
	if data, err := os.ReadFile("/sys/module/apparmor/parameters/enabled"); err == nil && strings.TrimSpace(string(data)) == "Y" {
		t.Skip("skipped: AppArmor is enabled on this host, so a profile can be applied")
	}
	for name, edit := range map[string]func(*specs.Spec){
		"apparmor":      func(s *specs.Spec) { s.Process.ApparmorProfile = "docker-default" },
		"selinux-label": func(s *specs.Spec) { s.Process.SelinuxLabel = "system_u:system_r:container_t:s0" },
		"mount-label":   func(s *specs.Spec) { s.Linux.MountLabel = "system_u:object_r:container_file_t:s0" },
	} {
		t.Run(name, func(t *testing.T) {
			dir := testutil.Bundle(t, []string{"true"}, edit)
			id := containerID(t)
			res := r.cmd("create", "--bundle", dir, id)
			if res.code == 0 {
				r.cmd("delete", "--force", id)
				t.Fatal("create succeeded with a security setting it cannot apply")
			}
			if left := leftovers(t, dir, id); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}

// TestFailedCreateLeavesNoInit is issue 12's second case: a create that
// fails after the init was started (a CPU quota the kernel refuses, a
// negative memory limit, a pid file that cannot be written) kills the init
// and removes its cgroup, and the caller's stdout and stderr reach EOF at
// once instead of being held by an orphaned init.
func TestFailedCreateLeavesNoInit(t *testing.T) {
	testutil.RequireRoot(t)
	r := newWard(t)
	quota, period := int64(100), uint64(100000) // --cpus 0.001
	negative := int64(-5)
	cases := []struct {
		name  string
		edit  func(s *specs.Spec)
		extra []string
		want  string
	}{
		{"cpu quota below the kernel's minimum", func(s *specs.Spec) {
			s.Linux.Resources = &specs.LinuxResources{CPU: &specs.LinuxCPU{Quota: &quota, Period: &period}}
		}, nil, "cpu"},
		{"negative memory limit", func(s *specs.Spec) {
			s.Linux.Resources = &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &negative}}
		}, nil, "memory"},
		{"pid file in a missing directory", func(*specs.Spec) {}, []string{"--pid-file", "/nonexistent-ward/x/pid"}, "/nonexistent-ward/x/pid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := testutil.Bundle(t, []string{"sleep", "60"}, func(s *specs.Spec) {})
			s := readSpec(t, dir)
			tc.edit(s)
			testutil.WriteSpec(t, dir, s)
			id := containerID(t)
			c := r.command(append(append([]string{"create"}, tc.extra...), "--bundle", dir, id)...)
			// Pipes, as a script has: EOF comes only when every holder of
			// the write ends is gone.
			var stdout, stderr strings.Builder
			c.Stdout, c.Stderr = &stdout, &stderr
			done := make(chan error, 1)
			go func() { done <- c.Run() }()
			select {
			case err := <-done:
				if err == nil {
					r.cmd("delete", "--force", id)
					t.Fatalf("create succeeded; want an error containing %q", tc.want)
				}
			case <-time.After(20 * time.Second):
				c.Process.Kill()
				t.Fatalf("create's stdout and stderr still open after 20s: something holds them")
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q, want it to name %q", stderr.String(), tc.want)
			}
			if left := leftovers(t, dir, id); len(left) > 0 {
				t.Errorf("a failed create left behind: %v", left)
			}
			if _, err := os.Stat(filepath.Join(r.root, id)); !os.IsNotExist(err) {
				t.Errorf("state directory left: %v", err)
			}
		})
	}
}
