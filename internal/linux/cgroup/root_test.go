package cgroup

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// requireCgroups skips unless the test runs as root on a host with
// writable cgroup hierarchies.
func requireCgroups(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create cgroups")
	}
	if _, err := os.Stat("/sys/fs/cgroup"); err != nil {
		t.Skip("no /sys/fs/cgroup on this host")
	}
}

// testCgroupPath is a cgroup path no other test or run uses.
func testCgroupPath(t *testing.T) string {
	return fmt.Sprintf("/ward-test-%d-%d-%s", os.Getpid(), time.Now().UnixNano(), strings.ReplaceAll(t.Name(), "/", "_"))
}

// newTestManager makes a Manager on a fresh path, destroyed at cleanup.
func newTestManager(t *testing.T) *Manager {
	t.Helper()
	m, err := New(testCgroupPath(t), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		killAll(t, m)
		if err := m.Destroy(); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return m
}

// killAll kills what the test started in the cgroup; the cgroup is the
// test's own, so every process in it is one of the test's.
func killAll(t *testing.T, m *Manager) {
	t.Helper()
	_ = m.Thaw()
	for range 50 {
		pids, err := m.Pids()
		if err != nil || len(pids) == 0 {
			return
		}
		for _, p := range pids {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startWaiting starts `sh -c script` blocked on reading one line, so the
// test can move it into the cgroup before the script runs. Writing a line
// to the returned writer releases it.
func startWaiting(t *testing.T, script string) (*exec.Cmd, io.WriteCloser, *syncBuffer) {
	t.Helper()
	cmd := exec.Command("sh", "-c", "read go; "+script)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	cmd.Stdout = out
	cmd.Stderr = out
	// Background children may hold the output pipe after the shell exits;
	// the manager's cleanup kills them, so do not wait for them here.
	cmd.WaitDelay = 100 * time.Millisecond
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, in, out
}

// syncBuffer collects a child's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func release(t *testing.T, in io.WriteCloser) {
	t.Helper()
	if _, err := io.WriteString(in, "go\n"); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, dir, name string) string {
	t.Helper()
	s, err := readFile(dir, name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLifecycle(t *testing.T) {
	requireCgroups(t)
	m := newTestManager(t)
	sleep := exec.Command("sleep", "30")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sleep.Process.Kill(); _ = sleep.Wait() }()
	if err := m.Apply(sleep.Process.Pid); err != nil {
		t.Fatal(err)
	}
	for key, dir := range m.Paths() {
		procs := mustRead(t, dir, "cgroup.procs")
		if !slices.Contains(strings.Fields(procs), fmt.Sprint(sleep.Process.Pid)) {
			t.Errorf("%s: pid %d not in %s/cgroup.procs (%q)", key, sleep.Process.Pid, dir, procs)
		}
	}

	res := &specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: ptr[int64](64 << 20), Reservation: ptr[int64](32 << 20)},
		Pids:   &specs.LinuxPids{Limit: ptr[int64](16)},
		CPU:    &specs.LinuxCPU{Shares: ptr[uint64](512), Quota: ptr[int64](50000), Period: ptr[uint64](100000), Cpus: "0", Mems: "0"},
		Devices: []specs.LinuxDeviceCgroup{
			{Allow: false, Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](3), Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr[int64](136), Access: "rw"},
		},
	}
	if m.Mode() != Unified {
		res.Memory.Swap = ptr[int64](128 << 20)
	}
	if err := m.Set(res); err != nil {
		t.Fatal(err)
	}
	type file struct{ key, name, want string }
	var files []file
	if m.Mode() == Unified {
		files = []file{
			{UnifiedKey, "memory.max", "67108864"}, {UnifiedKey, "memory.low", "33554432"},
			{UnifiedKey, "pids.max", "16"}, {UnifiedKey, "cpu.weight", fmt.Sprint(SharesToWeight(512))},
			{UnifiedKey, "cpu.max", "50000 100000"}, {UnifiedKey, "cpuset.cpus", "0"},
		}
	} else {
		files = []file{
			{"memory", "memory.limit_in_bytes", "67108864"}, {"memory", "memory.memsw.limit_in_bytes", "134217728"},
			{"memory", "memory.soft_limit_in_bytes", "33554432"}, {"pids", "pids.max", "16"},
			{"cpu", "cpu.shares", "512"}, {"cpu", "cpu.cfs_quota_us", "50000"}, {"cpu", "cpu.cfs_period_us", "100000"},
			{"cpuset", "cpuset.cpus", "0"}, {"cpuset", "cpuset.mems", "0"},
			{"devices", "devices.list", "c 1:3 rwm\nc 136:* rw"},
		}
	}
	for _, f := range files {
		if got := mustRead(t, m.Path(f.key), f.name); got != f.want {
			t.Errorf("%s/%s = %q, want %q", f.key, f.name, got, f.want)
		}
	}

	// Update lowers a limit on the running cgroup.
	if err := m.Update(&specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](8)}}); err != nil {
		t.Fatal(err)
	}
	if m.Path("devices") != "" {
		// A device update on a running cgroup moves between deny-by-default
		// lists without resetting them.
		err := m.Update(&specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{
			{Allow: false, Access: "rwm"},
			{Allow: true, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](3), Access: "r"},
			{Allow: true, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](5), Access: "rwm"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := mustRead(t, m.Path("devices"), "devices.list"), "c 1:3 r\nc 1:5 rwm"; got != want {
			t.Errorf("devices.list after Update = %q, want %q", got, want)
		}
	}
	pidsDir := m.Path("pids")
	if m.Mode() == Unified {
		pidsDir = m.Path(UnifiedKey)
	}
	if got := mustRead(t, pidsDir, "pids.max"); got != "8" {
		t.Errorf("pids.max after Update = %q, want 8", got)
	}

	pids, err := m.Pids()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pids, []int{sleep.Process.Pid}) {
		t.Errorf("Pids = %v, want [%d]", pids, sleep.Process.Pid)
	}

	if err := m.Freeze(); err != nil {
		t.Fatal(err)
	}
	if frozen, err := m.Frozen(); err != nil || !frozen {
		t.Errorf("Frozen after Freeze = %t, %v", frozen, err)
	}
	if m.Path("freezer") != "" {
		if got := mustRead(t, m.Path("freezer"), "freezer.state"); got != "FROZEN" {
			t.Errorf("freezer.state = %q, want FROZEN", got)
		}
	}
	if err := m.Thaw(); err != nil {
		t.Fatal(err)
	}
	if frozen, err := m.Frozen(); err != nil || frozen {
		t.Errorf("Frozen after Thaw = %t, %v", frozen, err)
	}

	st, err := m.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Pids.Current != 1 || st.Pids.Limit != 8 {
		t.Errorf("pids stats = %+v, want current 1 limit 8", st.Pids)
	}
	if st.Memory.Limit != 64<<20 {
		t.Errorf("memory limit stat = %d, want %d", st.Memory.Limit, 64<<20)
	}
	if m.Path("memory") != "" && st.Memory.Raw == nil {
		t.Error("memory.stat was not read")
	}

	// A Manager loaded from saved paths sees the same cgroup.
	loaded, err := Load(m.Paths())
	if err != nil {
		t.Fatal(err)
	}
	if lp, err := loaded.Pids(); err != nil || !slices.Equal(lp, pids) {
		t.Errorf("loaded Pids = %v, %v; want %v", lp, err, pids)
	}

	// Destroy refuses while the process lives, and removes every
	// directory once it is gone.
	if err := loaded.Destroy(); !errors.Is(err, syscall.EBUSY) {
		t.Errorf("Destroy with a live process: err = %v, want EBUSY", err)
	}
	_ = sleep.Process.Kill()
	_ = sleep.Wait()
	if err := loaded.Destroy(); err != nil {
		t.Fatal(err)
	}
	for key, dir := range m.Paths() {
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: %s still exists after Destroy (%v)", key, dir, err)
		}
	}
	if err := m.Destroy(); err != nil {
		t.Errorf("second Destroy: %v", err)
	}
}

func TestPidsLimitEnforced(t *testing.T) {
	requireCgroups(t)
	m := newTestManager(t)
	const limit = 4
	// The shell counts as one task; each background sleep is another.
	cmd, in, out := startWaiting(t, `i=0; while [ $i -lt 12 ]; do sleep 30 & i=$((i+1)); done; echo spawned; wait`)
	if err := m.Apply(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	if err := m.Set(&specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](limit)}}); err != nil {
		t.Fatal(err)
	}
	release(t, in)
	dir := m.Path("pids")
	if m.Mode() == Unified {
		dir = m.Path(UnifiedKey)
	}
	// pids.events counts the forks the limit refused.
	var events map[string]uint64
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var err error
		if events, err = readKeyed(dir, "pids.events"); err != nil {
			t.Fatal(err)
		}
		if events["max"] > 0 {
			break
		}
	}
	if events["max"] == 0 {
		t.Errorf("no fork refused under pids.max=%d; output %q", limit, out.String())
	}
	pids, err := m.Pids()
	if err != nil {
		t.Fatal(err)
	}
	if len(pids) > limit {
		t.Errorf("%d tasks in a cgroup limited to %d", len(pids), limit)
	}
	if n, _, err := readUint(dir, "pids.current"); err != nil || n > limit {
		t.Errorf("pids.current = %d (%v), limit %d", n, err, limit)
	}
	if strings.Contains(out.String(), "spawned") {
		t.Errorf("the shell started all its children: %q", out.String())
	}
}

func TestDevicesV1Enforced(t *testing.T) {
	requireCgroups(t)
	m := newTestManager(t)
	if m.Path("devices") == "" {
		t.Skip("no v1 devices hierarchy on this host")
	}
	cmd, in, out := startWaiting(t, `echo x > /dev/null && echo null-ok; head -c1 /dev/zero >/dev/null && echo zero-ok; true`)
	if err := m.Apply(cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	err := m.Set(&specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{
		{Allow: false, Access: "rwm"},
		{Allow: true, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](3), Access: "rwm"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	release(t, in)
	_ = cmd.Wait()
	if got := out.String(); !strings.Contains(got, "null-ok") || strings.Contains(got, "zero-ok") {
		t.Errorf("output %q: want /dev/null usable and /dev/zero refused", got)
	}
}

func TestDevicesBPFEnforced(t *testing.T) {
	requireCgroups(t)
	m := newTestManager(t)
	if m.Path(UnifiedKey) == "" {
		t.Skip("no cgroup2 hierarchy on this host")
	}
	run := func(rules []specs.LinuxDeviceCgroup) string {
		cmd, in, out := startWaiting(t, `echo x > /dev/null && echo null-ok; head -c1 /dev/zero >/dev/null && echo zero-ok; true`)
		if err := m.Apply(cmd.Process.Pid); err != nil {
			t.Fatal(err)
		}
		// On a hybrid host the v1 devices cgroup stays allow-all, so what
		// is refused here is refused by the BPF program alone.
		if err := m.setDevicesV2(&specs.LinuxResources{Devices: rules}); err != nil {
			t.Fatal(err)
		}
		release(t, in)
		_ = cmd.Wait()
		return out.String()
	}
	got := run([]specs.LinuxDeviceCgroup{
		{Allow: false, Access: "rwm"},
		{Allow: true, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](3), Access: "rwm"},
	})
	if !strings.Contains(got, "null-ok") || strings.Contains(got, "zero-ok") {
		t.Errorf("deny-all program: output %q, want /dev/null usable and /dev/zero refused", got)
	}
	// Replacing the program leaves exactly one attached.
	got = run([]specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}})
	if !strings.Contains(got, "null-ok") || !strings.Contains(got, "zero-ok") {
		t.Errorf("allow-all program: output %q, want both devices usable", got)
	}
	fd, err := syscall.Open(m.Path(UnifiedKey), syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	ids, err := attachedPrograms(fd)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 {
		t.Errorf("%d device programs attached after replacing, want 1", len(ids))
	}
}

func TestBadInputLeavesNothing(t *testing.T) {
	requireCgroups(t)
	path := testCgroupPath(t)
	gone := func(t *testing.T) {
		t.Helper()
		matches, _ := filepath.Glob("/sys/fs/cgroup/*" + path)
		more, _ := filepath.Glob("/sys/fs/cgroup" + path)
		if all := append(matches, more...); len(all) > 0 {
			t.Errorf("left behind: %v", all)
		}
	}

	t.Run("systemd path", func(t *testing.T) {
		_, err := New("system.slice:ward:"+strings.TrimPrefix(path, "/"), "x")
		if !errors.Is(err, ErrSystemdPath) || !strings.Contains(err.Error(), "systemd cgroups are not supported") {
			t.Errorf("err = %v, want ErrSystemdPath", err)
		}
		gone(t)
	})

	t.Run("apply of a missing pid", func(t *testing.T) {
		m, err := New(path, "")
		if err != nil {
			t.Fatal(err)
		}
		err = m.Apply(1 << 30) // above pid_max, so no such process
		if err == nil {
			m.Destroy()
			t.Fatal("Apply of a missing pid succeeded")
		}
		if !strings.Contains(err.Error(), "cgroup.procs") {
			t.Errorf("err = %v, want it to name cgroup.procs", err)
		}
		gone(t)
	})

	t.Run("settings the kernel lacks", func(t *testing.T) {
		m, err := New(path, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Apply(-1); err != nil {
			t.Fatal(err)
		}
		bad := []struct {
			res  specs.LinuxResources
			file string
		}{
			{specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 1 << 21}}}, "hugetlb.2MB."},
			{specs.LinuxResources{Unified: map[string]string{"nosuch.file": "1"}}, "nosuch.file"},
			{specs.LinuxResources{Network: &specs.LinuxNetwork{ClassID: ptr[uint32](1)}}, "net_cls.classid"},
		}
		for _, b := range bad {
			err := m.Set(&b.res)
			if err == nil {
				// This kernel has it after all; nothing to check here.
				t.Logf("host supports %s", b.file)
				continue
			}
			if !errors.Is(err, ErrNotSupported) || !strings.Contains(err.Error(), b.file) {
				t.Errorf("err = %v, want ErrNotSupported naming %s", err, b.file)
			}
		}
		if err := m.Destroy(); err != nil {
			t.Fatal(err)
		}
		gone(t)
	})
}

func TestRelativePathFollowsOwnCgroup(t *testing.T) {
	requireCgroups(t)
	rel := strings.TrimPrefix(testCgroupPath(t), "/")
	m, err := New(rel, "")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	own, err := parseProcCgroup(bufio.NewReader(f))
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	for key, dir := range m.Paths() {
		if !strings.HasSuffix(dir, filepath.Join(own[key], rel)) {
			t.Errorf("%s: %s is not below own cgroup %s", key, dir, own[key])
		}
	}
	if err := m.Apply(-1); err != nil {
		t.Fatal(err)
	}
	if err := m.Destroy(); err != nil {
		t.Fatal(err)
	}
	for _, dir := range m.Paths() {
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still exists", dir)
		}
	}
}

// TestUnifiedCoreFilesOnHybrid drives the v2 code paths that need no
// controller (freeze, pids, cpu.stat) through a Manager that sees only the
// cgroup2 hierarchy of a hybrid host, where real v2 controllers are absent.
func TestUnifiedCoreFilesOnHybrid(t *testing.T) {
	requireCgroups(t)
	m := newTestManager(t)
	if m.Mode() != Hybrid {
		t.Skip("needs a hybrid host; unified hosts run these paths in TestLifecycle")
	}
	sleep := exec.Command("sleep", "30")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sleep.Process.Kill(); _ = sleep.Wait() }()
	if err := m.Apply(sleep.Process.Pid); err != nil {
		t.Fatal(err)
	}
	v2, err := Load(map[string]string{UnifiedKey: m.Path(UnifiedKey)})
	if err != nil {
		t.Fatal(err)
	}
	if v2.Mode() != Unified {
		t.Fatalf("mode = %v, want unified", v2.Mode())
	}
	if err := v2.Freeze(); err != nil {
		t.Fatal(err)
	}
	if got := eventValue(mustRead(t, v2.Path(UnifiedKey), "cgroup.events"), "frozen"); got != "1" {
		t.Errorf("cgroup.events frozen = %q after Freeze, want 1", got)
	}
	if frozen, err := v2.Frozen(); err != nil || !frozen {
		t.Errorf("Frozen = %t, %v after Freeze", frozen, err)
	}
	if err := v2.Thaw(); err != nil {
		t.Fatal(err)
	}
	if got := eventValue(mustRead(t, v2.Path(UnifiedKey), "cgroup.events"), "frozen"); got != "0" {
		t.Errorf("cgroup.events frozen = %q after Thaw, want 0", got)
	}
	if pids, err := v2.Pids(); err != nil || !slices.Equal(pids, []int{sleep.Process.Pid}) {
		t.Errorf("Pids = %v, %v; want [%d]", pids, err, sleep.Process.Pid)
	}
	if _, err := v2.Stats(); err != nil {
		t.Errorf("Stats without controllers: %v", err)
	}
	err = v2.Set(&specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](5)}})
	if !errors.Is(err, ErrNotSupported) || !strings.Contains(err.Error(), "pids.max") {
		t.Errorf("Set pids without the v2 controller: err = %v, want ErrNotSupported naming pids.max", err)
	}
}
