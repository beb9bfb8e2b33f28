package e2e

import (
	"archive/tar"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/idrange"
	"github.com/wardproject/ward/internal/testutil"
)

// engineBins are ward and what it runs beside it, for the tests that go
// through the engine (--userns auto is the engine's).
var engineBins = testutil.NewBinaries("ward", "ward-runtime", "ward-monitor", "ward-audit")

// engine is a ward with a root of its own.
type engine struct {
	t    *testing.T
	bin  string
	root string
	dir  string // the test's directory, passable by mapped roots
}

// newEngine gives a test a ward root and the image "probe": busybox and
// the escape checker. The test's directory is made passable (0711) up to
// /, as ward's root must be for a mapped root to reach its rootfs.
func newEngine(t *testing.T) *engine {
	testutil.RequireRoot(t)
	testutil.RequireStaticBusybox(t)
	testutil.RestoreSubIDFiles(t)
	dir := t.TempDir()
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	e := &engine{t: t, bin: filepath.Join(engineBins.Dir(t), "ward"), root: filepath.Join(dir, "root"), dir: dir}
	rootfs := filepath.Join(dir, "rootfs")
	testutil.BusyboxRootfs(t, rootfs)
	build := exec.Command("go", "build", "-o", filepath.Join(rootfs, "escapecheck"), "./escapecheck")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building escapecheck: %v\n%s", err, out)
	}
	archive := filepath.Join(dir, "probe.tar")
	writeTar(t, rootfs, archive)
	e.must("import", archive, "probe:1")
	t.Cleanup(func() {
		// Whatever a failing test left: containers, their mounts and ranges.
		out, _ := e.run("ps", "-aq")
		for _, id := range strings.Fields(out) {
			e.run("rm", "-f", id)
		}
	})
	return e
}

// writeTar archives dir (symlinks included) into path.
func writeTar(t *testing.T, dir, path string) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.AddFS(os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (e *engine) command(args ...string) *exec.Cmd {
	cmd := exec.Command(e.bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "WARD_ROOT=" + e.root, "WARD_CONFIG=" + filepath.Join(e.dir, "config.json")}
	return cmd
}

// run returns ward's stdout and an error carrying its exit status and
// stderr.
func (e *engine) run(args ...string) (string, error) {
	cmd := e.command(args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("ward %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

func (e *engine) must(args ...string) string {
	e.t.Helper()
	out, err := e.run(args...)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// checkLines parses escapecheck's output: technique -> verdict line.
func checkLines(t *testing.T, out string) map[string][]string {
	got := map[string][]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(l)
		if len(f) != 3 {
			t.Fatalf("escapecheck printed %q", l)
		}
		got[f[0]] = f[1:]
	}
	return got
}

// untriedHere are the techniques this machine cannot offer at all, with
// the reason the test states.
var untriedHere = map[string]string{
	"load-module": "this kernel is built without modules: init_module and finit_module cannot be tried",
	"sysfs-write": "no known writable sysfs attribute on this kernel",
}

// TestUsernsEscapes runs the escape checker as root inside --userns auto,
// with the host's / at /host, and requires every technique blocked; then
// aims setuid-root and file-capability copies of it at a root-owned host
// file, and checks from the host that the file is unchanged. The same
// checker run with --userns host --privileged gets through (a few
// harmless techniques only), so the suite can tell an escape.
func TestUsernsEscapes(t *testing.T) {
	e := newEngine(t)
	hostFile := filepath.Join(e.dir, "root-owned")
	if err := os.WriteFile(hostFile, []byte("original\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := e.must("run", "--rm", "--network", "none", "--userns", "auto", "-v", "/:/host", "probe:1", "/escapecheck")
	t.Logf("escapecheck as root in --userns auto:\n%s", out)
	lines := checkLines(t, out)
	if len(lines) < 20 {
		t.Fatalf("escapecheck ran %d techniques:\n%s", len(lines), out)
	}
	for name, v := range lines {
		switch {
		case v[0] == "blocked":
		case v[0] == "untried" && untriedHere[name] != "":
			t.Logf("%s: untried: %s (%s)", name, untriedHere[name], v[1])
		default:
			t.Errorf("%s: %s %s", name, v[0], v[1])
		}
	}

	// setuid-root and file-capability copies of the checker, on the host.
	check := filepath.Join(e.dir, "rootfs", "escapecheck")
	data, err := os.ReadFile(check)
	if err != nil {
		t.Fatal(err)
	}
	suid, fcap := filepath.Join(e.dir, "suid"), filepath.Join(e.dir, "fcap")
	for _, p := range []string{suid, fcap} {
		if err := os.WriteFile(p, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(suid, 0o4755); err != nil {
		t.Fatal(err)
	}
	// VFS_CAP_REVISION_2: CAP_DAC_OVERRIDE and CAP_CHOWN, permitted and effective.
	capData := make([]byte, 20)
	binary.LittleEndian.PutUint32(capData[0:], 0x02000000|1) // revision 2, effective
	binary.LittleEndian.PutUint32(capData[4:], 1<<unix.CAP_DAC_OVERRIDE|1<<unix.CAP_CHOWN)
	if err := unix.Setxattr(fcap, "security.capability", capData, 0); err != nil {
		t.Fatalf("setting file capabilities: %v", err)
	}
	for _, bin := range []string{suid, fcap} {
		out := e.must("run", "--rm", "--network", "none", "--userns", "auto", "--user", "1000", "-v", "/:/host", "probe:1",
			"/host"+bin, "writehost", "/host"+hostFile)
		if !strings.Contains(out, "writehost blocked") {
			t.Errorf("%s: %s", filepath.Base(bin), out)
		}
	}
	if got, _ := os.ReadFile(hostFile); string(got) != "original\n" {
		t.Errorf("the root-owned host file now holds %q", got)
	}
	var st unix.Stat_t
	if err := unix.Stat(hostFile, &st); err != nil || st.Uid != 0 || st.Mode&0o777 != 0o644 {
		t.Errorf("the root-owned host file: owner %d mode %o, %v", st.Uid, st.Mode&0o777, err)
	}

	// The contrasts. Without a user namespace, Docker's default root
	// reads the host's shadow file and chowns its files through -v /:/host:
	// what --userns auto takes away.
	out = e.must("run", "--rm", "--network", "none", "--userns", "host", "-v", "/:/host", "probe:1",
		"/escapecheck", "only", "read-shadow,chown-host-file")
	for name, v := range checkLines(t, out) {
		if v[0] != "ALLOWED" {
			t.Errorf("--userns host: %s %s %s, want it allowed (the host's root)", name, v[0], v[1])
		}
	}
	// The host's root with every capability gets through.
	out = e.must("run", "--rm", "--network", "none", "--userns", "host", "--privileged", "-v", "/:/host", "probe:1",
		"/escapecheck", "only", "mount,read-shadow,open-by-handle-at,chown-host-file")
	for name, v := range checkLines(t, out) {
		if v[0] != "ALLOWED" {
			t.Errorf("--userns host --privileged: %s %s %s: the checker cannot tell an escape", name, v[0], v[1])
		}
	}
}

// TestUsernsConcurrentRangesAreDisjoint starts 50 containers with
// --userns auto at once, checks from the host that their processes run
// under pairwise disjoint host ids, removes them and checks every range
// is free again.
func TestUsernsConcurrentRangesAreDisjoint(t *testing.T) {
	e := newEngine(t)
	const n = 50
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var out string
			out, errs[i] = e.run("run", "-d", "--network", "none", "--userns", "auto", "probe:1", "sleep", "60")
			ids[i] = strings.TrimSpace(out)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	type span struct{ uid, gid, size uint64 }
	spans := map[string]span{}
	for _, id := range ids {
		var c []struct {
			State      struct{ Pid int }
			HostConfig struct {
				UsernsMode string
				IDMappings struct{ UidMap, GidMap []string }
			}
		}
		if err := json.Unmarshal([]byte(e.must("inspect", id)), &c); err != nil || len(c) != 1 {
			t.Fatalf("inspect %s: %v", id, err)
		}
		hc := c[0].HostConfig
		if hc.UsernsMode != "auto" || len(hc.IDMappings.UidMap) != 1 || len(hc.IDMappings.GidMap) != 1 {
			t.Fatalf("inspect %s: %+v", id, hc)
		}
		// What the kernel says, from the host.
		uidMap, err := os.ReadFile(fmt.Sprintf("/proc/%d/uid_map", c[0].State.Pid))
		if err != nil {
			t.Fatal(err)
		}
		var s span
		var in uint64
		if _, err := fmt.Sscan(string(uidMap), &in, &s.uid, &s.size); err != nil || in != 0 {
			t.Fatalf("uid_map of %s: %q", id, uidMap)
		}
		if want := fmt.Sprintf("0:%d:%d", s.uid, s.size); hc.IDMappings.UidMap[0] != want {
			t.Errorf("inspect shows UidMap %v, the kernel %s", hc.IDMappings.UidMap, want)
		}
		var gin uint64
		fmt.Sscanf(hc.IDMappings.GidMap[0], "%d:%d:", &gin, &s.gid)
		spans[id] = s
	}
	for a, sa := range spans {
		for b, sb := range spans {
			if a < b && (sa.uid < sb.uid+sb.size && sb.uid < sa.uid+sa.size || sa.gid < sb.gid+sb.size && sb.gid < sa.gid+sa.size) {
				t.Errorf("%s %+v and %s %+v share host ids", a[:12], sa, b[:12], sb)
			}
		}
	}
	e.must(append([]string{"rm", "-f"}, ids...)...)
	a, err := idrange.Open(filepath.Join(e.root, "idranges.db"), idrange.HostFiles)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if left, err := a.List(); err != nil || len(left) != 0 {
		t.Errorf("ranges still allocated after rm: %d, %v", len(left), err)
	}
	if left, _ := os.ReadDir(filepath.Join(e.root, "userns")); len(left) != 0 {
		t.Errorf("user namespaces still bound after rm: %d", len(left))
	}
}

// TestUsernsPoolExhaustedAndReclaimed gives ward a pool of two ranges:
// a stale allocation (a ward that crashed before writing its record)
// and a container fill it; the next run reclaims the stale one; the one
// after exits 125 naming the cause.
func TestUsernsPoolExhaustedAndReclaimed(t *testing.T) {
	e := newEngine(t)
	for _, p := range []string{idrange.HostFiles.SubUID, idrange.HostFiles.SubGID} {
		if err := os.WriteFile(p, []byte("ward:3000000:131072\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(e.root, 0o711); err != nil {
		t.Fatal(err)
	}
	a, err := idrange.Open(filepath.Join(e.root, "idranges.db"), idrange.HostFiles)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Allocate("0000000000000000000000000000000000000000000000000000000000000000", 0); err != nil {
		t.Fatal(err)
	}
	a.Close()
	first := strings.TrimSpace(e.must("create", "--network", "none", "--userns", "auto", "probe:1", "true"))
	second := strings.TrimSpace(e.must("create", "--network", "none", "--userns", "auto", "probe:1", "true"))
	_, err = e.run("run", "--rm", "--network", "none", "--userns", "auto", "probe:1", "true")
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 125 || !strings.Contains(err.Error(), "no free id range") {
		t.Errorf("a run with the pool full: %v, want exit 125 saying no free id range", err)
	}
	e.must("rm", first)
	if out := e.must("run", "--rm", "--network", "none", "--userns", "auto", "probe:1", "cat", "/proc/self/uid_map"); !strings.Contains(out, "3000000") && !strings.Contains(out, "3065536") {
		t.Errorf("after rm the freed range is not reused: %q", out)
	}
	e.must("rm", second)
}

// TestUsernsConflicts: what cannot work in a user namespace of the
// container's own is refused before anything is made, exit 125.
func TestUsernsConflicts(t *testing.T) {
	e := newEngine(t)
	for _, flags := range [][]string{{"--privileged"}, {"--pid", "host"}, {"--ipc", "host"}, {"--network", "host"}} {
		args := append(append([]string{"run", "--rm", "--userns", "auto"}, flags...), "probe:1", "true")
		_, err := e.run(args...)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 125 || !strings.Contains(err.Error(), "conflicts with --userns auto") {
			t.Errorf("%v: %v", flags, err)
		}
	}
	if out := e.must("ps", "-aq"); strings.TrimSpace(out) != "" {
		t.Errorf("refused runs left containers: %q", out)
	}
}

// TestUsernsLifecycle: a detached --userns auto container with a
// read-only root, a tmpfs and cgroup limits is exec'd into, logged,
// stopped, started again (same mapping, same writes) and removed, and
// nothing of it is left: no mount, no bound namespace, no range.
func TestUsernsLifecycle(t *testing.T) {
	e := newEngine(t)
	id := strings.TrimSpace(e.must("run", "-d", "--network", "none", "--userns", "auto", "--read-only", "--tmpfs", "/tmp",
		"--memory", "64m", "--pids-limit", "50", "probe:1", "sh", "-c", "echo started; cat /proc/self/uid_map; sleep 600"))
	uidMap := func() string {
		return strings.Join(strings.Fields(e.must("exec", id, "cat", "/proc/self/uid_map")), " ")
	}
	first := uidMap()
	if strings.HasPrefix(first, "0 0 ") {
		t.Fatalf("exec runs as the host's root: %q", first)
	}
	if out := e.must("exec", id, "sh", "-c", "id -u; touch /tmp/ok && echo tmpfs ok; touch /nope 2>/dev/null || echo root read-only; cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max"); out != "0\ntmpfs ok\nroot read-only\n50\n" {
		t.Errorf("inside: %q", out)
	}
	for start := time.Now(); !strings.Contains(e.must("logs", id), "started"); time.Sleep(50 * time.Millisecond) {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("logs: %q", e.must("logs", id))
		}
	}
	e.must("stop", "-t", "1", id)
	e.must("start", id)
	if again := uidMap(); again != first {
		t.Errorf("after a restart the mapping is %q, was %q", again, first)
	}
	e.must("rm", "-f", id)
	data, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(data), id) {
		t.Errorf("mounts of %s left after rm", id)
	}
	a, err := idrange.Open(filepath.Join(e.root, "idranges.db"), idrange.HostFiles)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if left, _ := a.List(); len(left) != 0 {
		t.Errorf("ranges left after rm: %v", left)
	}
}

// TestUsernsConfigDefault: "userns": "auto" in ward's config file is the
// default of run and create; --userns host overrides it.
func TestUsernsConfigDefault(t *testing.T) {
	e := newEngine(t)
	if err := os.WriteFile(filepath.Join(e.dir, "config.json"), []byte(`{"userns": "auto"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if m := strings.Fields(e.must("run", "--rm", "--network", "none", "probe:1", "cat", "/proc/self/uid_map")); len(m) != 3 || m[1] == "0" {
		t.Errorf("with the config's default: uid_map %v, want a range of ward's", m)
	}
	if m := strings.Fields(e.must("run", "--rm", "--network", "none", "--userns", "host", "probe:1", "cat", "/proc/self/uid_map")); len(m) != 3 || m[1] != "0" {
		t.Errorf("--userns host over the config's default: uid_map %v, want the host's", m)
	}
	id := strings.TrimSpace(e.must("create", "--network", "none", "probe:1", "true"))
	var c []struct{ HostConfig struct{ UsernsMode string } }
	if err := json.Unmarshal([]byte(e.must("inspect", id)), &c); err != nil || len(c) != 1 || c[0].HostConfig.UsernsMode != "auto" {
		t.Errorf("create with the config's default: %+v, %v", c, err)
	}
	e.must("rm", id)
}

// TestUsernsRestrictedPolicy: --policy restricted, which judges the spec
// the runtime would receive, accepts root inside --userns auto (its host
// uid, through linux.uidMappings, is not 0) and refuses the same command
// line without it, naming WD100.
func TestUsernsRestrictedPolicy(t *testing.T) {
	e := newEngine(t)
	hardened := []string{"--network", "none", "--policy", "restricted", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--read-only"}
	out := e.must(append(append([]string{"run", "--rm", "--userns", "auto"}, hardened...), "probe:1", "id", "-u")...)
	if strings.TrimSpace(out) != "0" {
		t.Errorf("root in --userns auto under --policy restricted: %q", out)
	}
	_, err := e.run(append(append([]string{"run", "--rm", "--userns", "host"}, hardened...), "probe:1", "id", "-u")...)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 125 || !strings.Contains(err.Error(), "WD100") {
		t.Errorf("root without a user namespace under --policy restricted: %v, want 125 naming WD100", err)
	}
}
