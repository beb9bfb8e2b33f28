package dockerdiff

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/testutil/imagearchive"

	"github.com/wardproject/ward/internal/testutil/testdaemon"

	"github.com/moby/sys/capability"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/wardproject/ward/internal/testutil"
)

// Both engines load the same archives under these references. The
// second image sets what a Dockerfile's USER, WORKDIR and ENV would.
const (
	image     = "ward.test/busybox:1"
	userImage = "ward.test/busybox-user:1"
)

// commandTimeout bounds every docker and ward command, so one that hangs
// fails its case instead of the whole test binary.
const commandTimeout = 30 * time.Second

// engines are the two command lines under comparison.
type engines struct {
	docker []string // the docker client and its -H
	ward   []string // ward and its --root
}

// outcome is what one `docker run` or `ward run` did.
type outcome struct {
	stdout, stderr string
	code           int
}

func run(env []string, argv ...string) outcome {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = 5 * time.Second
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		code = -1
		errOut.WriteString(fmt.Sprintf("\n%s: timed out after %s", strings.Join(argv, " "), commandTimeout))
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		code = -1
		errOut.WriteString("\n" + err.Error())
	}
	return outcome{stdout: out.String(), stderr: errOut.String(), code: code}
}

// setUp starts dockerd under work, builds ward and ward-runtime, and
// loads the same busybox archive into both.
func setUp(t *testing.T) engines {
	t.Helper()
	testutil.RequireRoot(t)
	for _, n := range []string{"dockerd", "containerd", "containerd-shim-runc-v2", "runc"} {
		if _, err := exec.LookPath(n); err != nil {
			t.Skipf("skipped: %s is not installed (apt-get install docker.io; CI installs it with scripts/install-deps.sh)", n)
		}
	}
	client := dockerClient(t)
	testutil.RequireStaticBusybox(t)

	work := testdaemon.WorkDir(t, "wdd-")
	bins := sharedBinaries(t)
	archive := filepath.Join(work, "busybox.tar")
	imagearchive.Write(t, archive, image, busyboxLayer(t), v1.ImageConfig{
		Env: []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"},
		Cmd: []string{"sh"},
	})
	userArchive := filepath.Join(work, "busybox-user.tar")
	imagearchive.Write(t, userArchive, userImage, busyboxLayer(t), v1.ImageConfig{
		User:       "alice",
		Env:        []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "FOO=from-the-image"},
		WorkingDir: "/tmp",
		Cmd:        []string{"sh"},
	})

	// Docker's containers go under a cgroup parent of their own, which is
	// removed at the end, instead of the /docker a system Docker uses.
	cgroupParent := filepath.Base(work)
	testdaemon.CleanupCgroups(t, cgroupParent)
	socket := testdaemon.StartDockerd(t, work, "--cgroup-parent", "/"+cgroupParent)
	e := engines{
		docker: []string{client, "-H", "unix://" + socket},
		ward:   []string{filepath.Join(bins, "ward"), "--root", filepath.Join(work, "ward")},
	}
	for _, load := range [][]string{
		append(e.docker, "load", "-i", archive),
		append(e.ward, "load", "-q", "-i", archive),
		append(e.docker, "load", "-i", userArchive),
		append(e.ward, "load", "-q", "-i", userArchive),
	} {
		if o := run(nil, load...); o.code != 0 {
			t.Fatalf("%s: exit %d: %s", strings.Join(load, " "), o.code, o.stderr)
		}
	}
	t.Cleanup(func() {
		// Whatever a failed case left behind, so the work directory unmounts.
		ids := run(nil, append(e.ward, "ps", "-aq")...).stdout
		for _, id := range strings.Fields(ids) {
			run(nil, append(e.ward, "rm", "-f", id)...)
		}
	})
	return e
}

// wardBins are ward, ward-runtime and ward-monitor, side by side as ward
// expects, built once per test binary; TestMain removes them.
var wardBins = testutil.NewBinaries("ward", "ward-runtime", "ward-monitor")

func sharedBinaries(t *testing.T) string { return wardBins.Dir(t) }

// dockerClient is Debian's docker client (testdaemon.DockerClient).
func dockerClient(t *testing.T) string {
	t.Helper()
	client := testdaemon.DockerClient()
	if client == "" {
		t.Skip("skipped: the docker client is not installed (apt-get install docker.io)")
	}
	return client
}

func TestDockerAndWardAgree(t *testing.T) {
	e := setUp(t)
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	probe, err := os.ReadFile(filepath.Join(testdata, "probe.sh"))
	if err != nil {
		t.Fatal(err)
	}
	volume := t.TempDir()
	if err := os.Chmod(volume, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(volume, "hello"), []byte("from the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, c := range agreeCases(volume, testdata) {
		t.Run(c.name, func(t *testing.T) {
			// Containers of different cases do not see each other (--pid
			// host is compared only as "many"): -parallel of them at once.
			t.Parallel()
			img := cmp.Or(c.image, image)
			// The two engines' containers are independent: run them at once.
			var want, got outcome
			var wg sync.WaitGroup
			wg.Go(func() { want = e.probe(e.docker, c.flags, img, string(probe)) })
			wg.Go(func() { got = e.probe(e.ward, append(slices.Clone(c.flags), c.wardFlags...), img, string(probe)) })
			wg.Wait()
			if want.code != 0 {
				t.Fatalf("docker run %s: exit %d: %s", strings.Join(c.flags, " "), want.code, want.stderr)
			}
			if got.code != 0 {
				t.Fatalf("ward run %s: exit %d: %s", strings.Join(append(slices.Clone(c.flags), c.wardFlags...), " "), got.code, got.stderr)
			}
			compareLines(t, normalize(t, want.stdout), normalize(t, got.stdout))
		})
	}

	// Where ward does better: Docker asks for every capability it knows
	// and fails (exit 125) on a host whose bounding set lacks one (here
	// CAP_SYS_RESOURCE); ward grants what the host has and warns about
	// the rest. On a host that lacks none, both must agree as above.
	missing := missingCapabilities(t)
	for _, c := range []struct {
		name  string
		flags []string
	}{
		{"privileged", []string{"--privileged"}},
		{"cap-add ALL", []string{"--cap-add", "ALL"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := e.probe(e.docker, c.flags, image, string(probe))
			got := e.probe(e.ward, c.flags, image, string(probe))
			if got.code != 0 {
				t.Fatalf("ward run %s: exit %d: %s", strings.Join(c.flags, " "), got.code, got.stderr)
			}
			if len(missing) == 0 {
				if want.code != 0 {
					t.Fatalf("docker run %s: exit %d: %s", strings.Join(c.flags, " "), want.code, want.stderr)
				}
				compareLines(t, normalize(t, want.stdout), normalize(t, got.stdout))
				return
			}
			t.Logf("docker run %s: exit %d: %s", strings.Join(c.flags, " "), want.code, strings.TrimSpace(want.stderr))
			if want.code != 125 {
				t.Errorf("docker run %s on a host without %v: exit %d, want 125 (stderr %q)", strings.Join(c.flags, " "), missing, want.code, want.stderr)
			}
			for _, m := range missing {
				if !strings.Contains(got.stderr, m) {
					t.Errorf("ward run %s: stderr does not name %s, which the host cannot grant: %q", strings.Join(c.flags, " "), m, got.stderr)
				}
			}
			checkEverythingGranted(t, c.flags, got.stdout)
		})
	}
}

func TestDockerAndWardExitAlike(t *testing.T) {
	e := setUp(t)
	// Each is run as `ENGINE run --rm --network none ARGS...` and must give
	// the same exit status as Docker, which follows the rules: 125
	// when the engine fails, 126 and 127 when the command cannot be run or
	// found, 128+N when the container dies of signal N.
	cases := []struct {
		name string
		args []string
		code int // Docker's, checked too so a change of reference shows
	}{
		{"exit status", []string{image, "sh", "-c", "exit 7"}, 7},
		// PID 1 ignores signals sent from inside its namespace; the OOM
		// killer's SIGKILL comes from the kernel.
		{"killed by a signal", []string{"--memory", "16m", "--memory-swap", "16m", image,
			"sh", "-c", `x=$(head -c 100m /dev/zero | tr "\0" a); echo ${#x}`}, 128 + 9},
		{"command not found", []string{image, "/no/such/command"}, 127},
		{"command not executable", []string{image, "/etc/passwd"}, 126},
		{"unknown user", []string{"--user", "nosuchuser", image, "true"}, 125},
		{"unknown group", []string{"--user", "1001:nosuchgroup", image, "true"}, 125},
		{"unknown capability", []string{"--cap-add", "NOT_A_CAP", image, "true"}, 125},
		{"workdir created", []string{"-w", "/new/dir", image, "sh", "-c", "test \"$(pwd)\" = /new/dir"}, 0},
		// The least-privilege flags' refusals.
		{"sysctl not namespaced", []string{"--sysctl", "kernel.pid_max=100000", image, "true"}, 125},
		{"sysctl outside a namespace", []string{"--sysctl", "vm.swappiness=10", image, "true"}, 125},
		{"device bad permissions", []string{"--device", "/dev/fuse:/dev/fuse:rwx", image, "true"}, 125},
		{"device-cgroup-rule malformed", []string{"--device-cgroup-rule", "c 10 rwm", image, "true"}, 125},
		{"cgroupns unknown", []string{"--cgroupns", "shared", image, "true"}, 125},
		{"oom-score-adj out of range", []string{"--oom-score-adj", "1001", image, "true"}, 125},
		{"group-add unknown name", []string{"--group-add", "nosuchgroup", image, "true"}, 125},
		{"restart with rm", []string{"--restart", "always", image, "true"}, 125},
		{"restart unknown", []string{"--restart", "sometimes", image, "true"}, 125},
		{"restart count on always", []string{"--restart", "always:3", image, "true"}, 125},
		{"stop-signal unknown", []string{"--stop-signal", "SIGNOPE", image, "true"}, 125},
		{"security-opt unknown", []string{"--security-opt", "nonsense=1", image, "true"}, 125},
		{"seccomp profile missing", []string{"--security-opt", "seccomp=/no/such/profile.json", image, "true"}, 125},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := func(engine []string) outcome {
				argv := append(append([]string{}, engine...), "run", "--rm", "--network", "none")
				return run(nil, append(argv, c.args...)...)
			}
			want, got := run(e.docker), run(e.ward)
			if want.code != c.code {
				t.Errorf("docker exit %d, want %d: %s", want.code, c.code, strings.TrimSpace(want.stderr))
			}
			if got.code != want.code {
				t.Errorf("ward exit %d, docker exit %d\n  docker stderr: %s\n  ward stderr:   %s",
					got.code, want.code, strings.TrimSpace(want.stderr), strings.TrimSpace(got.stderr))
			}
		})
	}
}

// missingCapabilities lists the capabilities the kernel knows that this
// process's bounding set lacks: the ones Docker's --privileged asks for
// and cannot get.
func missingCapabilities(t *testing.T) []string {
	t.Helper()
	bnd := statusField(t, mustRead(t, "/proc/self/status"), "CapBnd")
	last, err := strconv.Atoi(strings.TrimSpace(mustRead(t, "/proc/sys/kernel/cap_last_cap")))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for c := 0; c <= last; c++ {
		if bnd&(1<<c) == 0 {
			out = append(out, "CAP_"+strings.ToUpper(capability.Cap(c).String()))
		}
	}
	return out
}

// checkEverythingGranted checks what a container run with --privileged or
// --cap-add ALL printed: every capability of the host's bounding set (in
// the effective set too as root), and for --privileged no seccomp, no
// masked paths and a writable /proc/sys.
func checkEverythingGranted(t *testing.T, flags []string, out string) {
	t.Helper()
	host := statusField(t, mustRead(t, "/proc/self/status"), "CapBnd")
	if got := statusField(t, out, "CapBnd"); got != host {
		t.Errorf("CapBnd %016x, want the host's %016x", got, host)
	}
	asRoot := !slices.Contains(flags, "--user")
	wantEff := uint64(0)
	if asRoot {
		wantEff = host
	}
	if got := statusField(t, out, "CapEff"); got != wantEff {
		t.Errorf("CapEff %016x, want %016x", got, wantEff)
	}
	if !slices.Contains(flags, "--privileged") {
		return
	}
	for _, line := range []string{"Seccomp:\t0", "write /proc/sys: ok", "masked file /proc/keys: 1 bytes"} {
		if !slices.Contains(strings.Split(out, "\n"), line) {
			t.Errorf("--privileged: no line %q in:\n%s", line, out)
		}
	}
	if strings.Contains(out, "mount: /proc/keys ") || strings.Contains(out, "mount: /proc/sys proc ro") {
		t.Errorf("--privileged: masked or read-only /proc paths mounted:\n%s", out)
	}
}

// statusField parses a hexadecimal field such as CapBnd from
// /proc/PID/status text.
func statusField(t *testing.T, status, name string) uint64 {
	t.Helper()
	for _, line := range strings.Split(status, "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return n
		}
	}
	t.Fatalf("no %s line in:\n%s", name, status)
	return 0
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// normalize rewrites the probe's lines that name things differing from
// run to run (and a terminal's line ends): a namespace link becomes "host" when it is the test
// process's own and "private" otherwise, and the process list, when it
// holds more than the probe itself (--pid host), becomes "many".
func normalize(t *testing.T, out string) string {
	t.Helper()
	// A terminal (-t) ends lines with CRLF.
	lines := strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n")
	for i, line := range lines {
		if rest, ok := strings.CutPrefix(line, "ns "); ok {
			name, link, _ := strings.Cut(rest, ": ")
			own, err := os.Readlink("/proc/self/ns/" + name)
			if err != nil {
				t.Fatal(err)
			}
			if link == own {
				lines[i] = "ns " + name + ": host"
			} else {
				lines[i] = "ns " + name + ": private"
			}
		}
		if strings.HasPrefix(line, "procs: ") && len(strings.Fields(line)) > 2 {
			lines[i] = "procs: many"
		}
	}
	return strings.Join(lines, "\n")
}

// probe runs the probe script in a new container with flags, on no
// network unless flags name one. With --entrypoint /bin/sh the command is
// only the shell's arguments. A detached (-d) container's output is read
// back with `logs -f`, which returns once it has exited.
func (e engines) probe(engine, flags []string, img, script string) outcome {
	detach := slices.Contains(flags, "-d")
	argv := append([]string{}, engine...)
	var name string
	if detach {
		name = "wdd-" + rand.Text()[:16]
		argv = append(argv, "run", "--name", name)
	} else {
		argv = append(argv, "run", "--rm")
	}
	if !slices.Contains(flags, "--network") {
		argv = append(argv, "--network", "none")
	}
	argv = append(append(argv, flags...), img)
	if !slices.Contains(flags, "--entrypoint") {
		argv = append(argv, "sh")
	}
	o := run(nil, append(argv, "-c", script)...)
	if !detach || o.code != 0 {
		return o
	}
	defer run(nil, append(slices.Clone(engine), "rm", "-f", name)...)
	return run(nil, append(slices.Clone(engine), "logs", "-f", name)...)
}

// compareLines reports every line only Docker's container printed and
// every line only ward's printed, aligned by a longest common subsequence
// so one extra line does not shift the rest. A pair listed in
// knownDifferences is logged instead, and only when both of its lines are
// there: any other change still fails.
func compareLines(t *testing.T, docker, ward string) {
	t.Helper()
	diff := lineDiff(strings.Split(strings.TrimRight(docker, "\n"), "\n"),
		strings.Split(strings.TrimRight(ward, "\n"), "\n"))
	for _, k := range knownFor(t.Name(), statusField(t, mustRead(t, "/proc/self/status"), "CapBnd")) {
		var sides []string
		if k.docker != "" {
			sides = append(sides, fmt.Sprintf("docker only: %q", k.docker))
		}
		if k.ward != "" {
			sides = append(sides, fmt.Sprintf("ward only:   %q", k.ward))
		}
		if !containsAll(diff, sides) {
			continue
		}
		diff = slices.DeleteFunc(diff, func(d string) bool { return slices.Contains(sides, d) })
		t.Logf("known difference (see knownDifferences): %s\n  docker: %q\n  ward:   %q", k.why, k.docker, k.ward)
	}
	for _, d := range diff {
		t.Errorf("%s", d)
	}
	if t.Failed() {
		t.Logf("docker saw:\n%s\nward saw:\n%s", docker, ward)
	}
}

func containsAll(list, want []string) bool {
	for _, w := range want {
		if !slices.Contains(list, w) {
			return false
		}
	}
	return true
}

// lineDiff returns "docker only: LINE" and "ward only: LINE" for the lines
// outside a longest common subsequence of a (Docker's) and b (ward's).
func lineDiff(a, b []string) []string {
	// lcs[i][j] is the length of the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			i, j = i+1, j+1
		case j < len(b) && (i == len(a) || lcs[i][j+1] >= lcs[i+1][j]):
			out = append(out, fmt.Sprintf("ward only:   %q", b[j]))
			j++
		default:
			out = append(out, fmt.Sprintf("docker only: %q", a[i]))
			i++
		}
	}
	return out
}
