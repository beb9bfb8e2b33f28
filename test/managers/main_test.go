// Package managers lets real container managers drive an OCI runtime
// binary: Docker (dockerd --add-runtime), containerd (ctr run
// --runc-binary) and containerd's CRI plugin driven by crictl as kubelet
// would. Every test starts its own daemons with their own roots and
// sockets under a temporary directory and tears them down by PID.
//
// Each scenario runs once per runtime, runc first as the reference, and
// what the container saw under ward-runtime must match what it saw under
// runc. WARD_MANAGERS_RUNTIMES=runc,ward (the default) chooses which;
// WARD_MANAGERS_WARD=PATH uses a ward-runtime already built instead of
// building ./cmd/ward-runtime; WARD_CRICTL=PATH names crictl.
package managers

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wardproject/ward/internal/testutil"
)

// runtimeUnderTest is one OCI runtime binary the managers are pointed at.
type runtimeUnderTest struct {
	// name is the manager's name for it: docker --runtime NAME, the CRI
	// runtime handler NAME.
	name string
	// bin is the path handed to the manager: a wrapper that records each
	// invocation and, on failure, the last line of the runtime's log.json.
	bin string
	// calls is the file the wrapper appends to.
	calls string
}

// reference is the name of the runtime the others are compared with.
const reference = "refrunc"

var (
	buildOnce sync.Once
	buildDir  string
	wardBin   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// selectedRuntimes reads WARD_MANAGERS_RUNTIMES (runc,ward by default).
func selectedRuntimes(t *testing.T) []string {
	t.Helper()
	v := os.Getenv("WARD_MANAGERS_RUNTIMES")
	if v == "" {
		v = "runc,ward"
	}
	var out []string
	for _, n := range strings.Split(v, ",") {
		switch n = strings.TrimSpace(n); n {
		case "runc", "ward":
			out = append(out, n)
		case "":
		default:
			t.Fatalf("WARD_MANAGERS_RUNTIMES: unknown runtime %q (want runc, ward)", n)
		}
	}
	return out
}

// runtimes returns the runtimes to test, each behind a recording wrapper in
// dir. runc is named "refrunc" and ward-runtime "ward".
func runtimes(t *testing.T, dir string) []runtimeUnderTest {
	t.Helper()
	var out []runtimeUnderTest
	for _, n := range selectedRuntimes(t) {
		var real, name string
		switch n {
		case "runc":
			p, err := exec.LookPath("runc")
			if err != nil {
				t.Skip("skipped: runc is not installed (apt-get install runc; CI installs it)")
			}
			real, name = p, reference
		case "ward":
			real, name = buildWard(t), "ward"
		}
		out = append(out, wrapRuntime(t, dir, name, real))
	}
	return out
}

// buildWard builds ./cmd/ward-runtime once per test binary, unless
// WARD_MANAGERS_WARD names a binary already built.
func buildWard(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("WARD_MANAGERS_WARD"); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return abs
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "ward-managers-bin-")
		if buildErr != nil {
			return
		}
		// The shim execs the runtime as root from its own directory: keep it reachable.
		os.Chmod(buildDir, 0o755)
		wardBin, buildErr = testutil.BuildBinary(buildDir, "ward-runtime")
	})
	if buildErr != nil {
		t.Fatalf("build ward-runtime: %v", buildErr)
	}
	return wardBin
}

// wrapperScript runs the real runtime unchanged and appends one line per
// call to a calls file: the exit code, the arguments and, when the call
// failed, the last line of the --log file, which is the error the runtime
// reported to the shim. The shim deletes the bundle (and the log with it)
// after a failure, so this is the only trace left for the report.
const wrapperScript = `#!/bin/sh
%q "$@"
rc=$?
log=
prev=
for a in "$@"; do
	[ "$prev" = "--log" ] && log=$a
	prev=$a
done
{
	echo "rc=$rc $*"
	if [ "$rc" -ne 0 ] && [ -n "$log" ] && [ -f "$log" ]; then
		printf '  log.json: '
		tail -n 1 "$log"
	fi
} >> %q
exit $rc
`

func wrapRuntime(t *testing.T, dir, name, real string) runtimeUnderTest {
	t.Helper()
	bin := filepath.Join(dir, "runtime-"+name)
	calls := filepath.Join(dir, "calls-"+name+".log")
	if err := os.WriteFile(bin, fmt.Appendf(nil, wrapperScript, real, calls), 0o755); err != nil {
		t.Fatal(err)
	}
	return runtimeUnderTest{name: name, bin: bin, calls: calls}
}

// failedCalls returns the wrapper's lines for calls that failed.
func (r runtimeUnderTest) failedCalls() string {
	data, err := os.ReadFile(r.calls)
	if err != nil {
		return ""
	}
	var b strings.Builder
	keep := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "rc="):
			keep = !strings.HasPrefix(line, "rc=0 ")
		case line == "":
			continue
		}
		if keep {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// created reports whether the runtime was asked to create container id.
func (r runtimeUnderTest) created(id string) bool {
	data, _ := os.ReadFile(r.calls)
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, " create ") && strings.HasSuffix(line, " "+id) {
			return true
		}
	}
	return false
}

// verbs returns the runtime verbs called, in order, for the report.
func (r runtimeUnderTest) verbs() []string {
	data, err := os.ReadFile(r.calls)
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "rc=") {
			continue
		}
		f := strings.Fields(line)
		for i := 1; i < len(f); i++ {
			switch f[i] {
			case "--root", "--log", "--log-format":
				i++
				continue
			}
			out = append(out, f[i]+"("+strings.TrimPrefix(f[0], "rc=")+")")
			break
		}
	}
	return out
}

// requireTools skips unless every named program is installed.
func requireTools(t *testing.T, names ...string) {
	t.Helper()
	testutil.RequireRoot(t)
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			t.Skipf("skipped: %s is not installed (apt-get install docker.io busybox-static runc; CI installs them)", n)
		}
	}
	testutil.RequireStaticBusybox(t)
}
