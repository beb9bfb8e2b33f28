package ociruntime

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/linux/consolesocket"
	"github.com/wardproject/ward/internal/testutil"
)

// runcPath is where Debian's runc package puts the binary.
const runcPath = "/usr/sbin/runc"

var (
	buildOnce  sync.Once
	buildDir   string
	wardPath   string
	wardErr    error
	testCtxDur = 30 * time.Second
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// runtimes returns the implementations the suite runs against: a freshly
// built ward-runtime and runc, skipping those that are missing.
func runtimes(t *testing.T) map[string]string {
	t.Helper()
	testutil.RequireRoot(t)
	testutil.RequireStaticBusybox(t)
	buildOnce.Do(func() {
		buildDir, wardErr = os.MkdirTemp("", "ociruntime-test-")
		if wardErr == nil {
			wardPath, wardErr = testutil.BuildBinary(buildDir, "ward-runtime")
		}
	})
	if wardErr != nil {
		t.Fatalf("build ward-runtime: %v", wardErr)
	}
	return map[string]string{"ward-runtime": wardPath, "runc": runcPath}
}

// forEachRuntime runs fn as a subtest per runtime, with a fresh Runtime
// whose root and log directory are temporary.
func forEachRuntime(t *testing.T, fn func(t *testing.T, r *Runtime)) {
	for _, name := range []string{"ward-runtime", "runc"} {
		t.Run(name, func(t *testing.T) {
			path := runtimes(t)[name]
			if _, err := os.Stat(path); err != nil {
				t.Skipf("skipped: %s is not installed at %s (apt-get install runc; CI installs it)", name, path)
			}
			dir := t.TempDir()
			fn(t, &Runtime{Path: path, Root: filepath.Join(dir, "root"), Log: filepath.Join(dir, "log")})
		})
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testCtxDur)
	t.Cleanup(cancel)
	return ctx
}

// cleanupContainer force-deletes id when a test ends early.
func cleanupContainer(t *testing.T, r *Runtime, id string) {
	t.Cleanup(func() {
		if err := r.Delete(context.Background(), id, true); err != nil && !errors.Is(err, ErrNotFound) {
			t.Logf("cleanup %s: %v", id, err)
		}
	})
}

func waitStatus(t *testing.T, ctx context.Context, r *Runtime, id string, want specs.ContainerState) *State {
	t.Helper()
	for {
		s, err := r.State(ctx, id)
		if err != nil {
			t.Fatalf("State: %v", err)
		}
		if s.Status == want {
			return s
		}
		select {
		case <-ctx.Done():
			t.Fatalf("status %q, want %q", s.Status, want)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func TestLifecycle(t *testing.T) {
	forEachRuntime(t, func(t *testing.T, r *Runtime) {
		ctx := testContext(t)
		bundle := testutil.Bundle(t, []string{"sleep", "60"}, nil)
		id := "lifecycle-" + filepath.Base(r.Path)
		pidFile := filepath.Join(t.TempDir(), "init.pid")
		cleanupContainer(t, r, id)

		if err := r.Create(ctx, id, bundle, CreateOpts{PidFile: pidFile}); err != nil {
			t.Fatalf("Create: %v", err)
		}
		data, err := os.ReadFile(pidFile)
		if err != nil {
			t.Fatalf("pid file after create: %v", err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil {
			t.Fatalf("pid file %q: %v", data, err)
		}
		s, err := r.State(ctx, id)
		if err != nil {
			t.Fatalf("State: %v", err)
		}
		if s.Status != specs.StateCreated || s.Pid != pid || s.ID != id || s.Bundle != bundle {
			t.Errorf("state after create = %+v, want created, pid %d, id %s, bundle %s", s.State, pid, id, bundle)
		}
		if err := r.Create(ctx, id, bundle, CreateOpts{}); !errors.Is(err, ErrExists) {
			t.Errorf("second Create = %v, want ErrExists", err)
		}

		if err := r.Start(ctx, id); err != nil {
			t.Fatalf("Start: %v", err)
		}
		waitStatus(t, ctx, r, id, specs.StateRunning)

		pids, err := r.Ps(ctx, id)
		if err != nil {
			t.Fatalf("Ps: %v", err)
		}
		if !slices.Contains(pids, pid) {
			t.Errorf("Ps = %v, want it to hold init %d", pids, pid)
		}

		out := execOutput(t, ctx, r, id, []string{"sh", "-c", "echo hello from $(hostname)"})
		if out != "hello from ward\n" {
			t.Errorf("exec output %q, want %q", out, "hello from ward\n")
		}
		var exit *exitstatus.Error
		if err := r.Exec(ctx, id, process([]string{"sh", "-c", "exit 3"}), ExecOpts{}); !errors.As(err, &exit) || exit.Code != 3 {
			t.Errorf("exec exit 3 = %v, want exit status 3", err)
		}
		execPid := filepath.Join(t.TempDir(), "exec.pid")
		if err := r.Exec(ctx, id, process([]string{"sleep", "60"}), ExecOpts{Detach: true, PidFile: execPid}); err != nil {
			t.Fatalf("detached Exec: %v", err)
		}
		if _, err := os.Stat(execPid); err != nil {
			t.Errorf("detached exec pid file: %v", err)
		}

		if err := r.Kill(ctx, id, syscall.SIGKILL, true); err != nil {
			t.Fatalf("Kill --all: %v", err)
		}
		waitStatus(t, ctx, r, id, specs.StateStopped)
		if err := r.Kill(ctx, id, syscall.SIGTERM, false); !errors.Is(err, ErrNotRunning) {
			t.Errorf("Kill of a stopped container = %v, want ErrNotRunning", err)
		}
		if err := r.Delete(ctx, id, false); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := r.State(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("State after Delete = %v, want ErrNotFound", err)
		}
	})
}

func process(args []string) specs.Process {
	return specs.Process{
		Args: args, Cwd: "/",
		Env: []string{"PATH=/bin"},
		Capabilities: &specs.LinuxCapabilities{
			Bounding: []string{"CAP_KILL"}, Effective: []string{"CAP_KILL"}, Permitted: []string{"CAP_KILL"},
		},
		NoNewPrivileges: true,
	}
}

// execOutput runs args in the container and returns what it printed.
func execOutput(t *testing.T, ctx context.Context, r *Runtime, id string, args []string) string {
	t.Helper()
	rd, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(rd)
		done <- string(b)
	}()
	err = r.Exec(ctx, id, process(args), ExecOpts{Stdio: Stdio{Stdout: wr, Stderr: wr}})
	wr.Close()
	out := <-done
	if err != nil {
		t.Fatalf("Exec %q: %v (output %q)", args, err, out)
	}
	return out
}

func TestPauseResumeUpdate(t *testing.T) {
	forEachRuntime(t, func(t *testing.T, r *Runtime) {
		ctx := testContext(t)
		bundle := testutil.Bundle(t, []string{"sleep", "60"}, nil)
		id := "pause-" + filepath.Base(r.Path)
		cleanupContainer(t, r, id)
		if err := r.Create(ctx, id, bundle, CreateOpts{}); err != nil {
			t.Fatalf("Create: %v", err)
		}
		if err := r.Start(ctx, id); err != nil {
			t.Fatalf("Start: %v", err)
		}
		if err := r.Pause(ctx, id); err != nil {
			t.Fatalf("Pause: %v", err)
		}
		waitStatus(t, ctx, r, id, specs.ContainerState("paused"))
		if err := r.Resume(ctx, id); err != nil {
			t.Fatalf("Resume: %v", err)
		}
		waitStatus(t, ctx, r, id, specs.StateRunning)
		limit := int64(42)
		if err := r.Update(ctx, id, &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: &limit}}); err != nil {
			t.Fatalf("Update: %v", err)
		}
		if err := r.Delete(ctx, id, true); err != nil {
			t.Fatalf("Delete --force: %v", err)
		}
		if _, err := r.State(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("State after Delete --force = %v, want ErrNotFound", err)
		}
	})
}

func TestMissingContainer(t *testing.T) {
	forEachRuntime(t, func(t *testing.T, r *Runtime) {
		ctx := testContext(t)
		const id = "no-such-container"
		for _, tc := range []struct {
			verb string
			call func() error
		}{
			{"state", func() error { _, err := r.State(ctx, id); return err }},
			{"start", func() error { return r.Start(ctx, id) }},
			{"kill", func() error { return r.Kill(ctx, id, syscall.SIGTERM, false) }},
			{"delete", func() error { return r.Delete(ctx, id, false) }},
			{"ps", func() error { _, err := r.Ps(ctx, id); return err }},
			{"pause", func() error { return r.Pause(ctx, id) }},
		} {
			t.Run(tc.verb, func(t *testing.T) {
				err := tc.call()
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("%s of a missing container = %v, want ErrNotFound", tc.verb, err)
				}
				var rerr *Error
				if !errors.As(err, &rerr) || rerr.Op != tc.verb || rerr.ID != id {
					t.Errorf("error %#v, want an *Error for %s %s", err, tc.verb, id)
				}
				if errors.Is(err, ErrNotRunning) || errors.Is(err, ErrExists) {
					t.Errorf("error %v matches another class", err)
				}
			})
		}
	})
}

func TestCreateFailureMessageFromLog(t *testing.T) {
	forEachRuntime(t, func(t *testing.T, r *Runtime) {
		ctx := testContext(t)
		missing := "/nonexistent-ward-rootfs"
		bundle := testutil.Bundle(t, []string{"true"}, func(s *specs.Spec) { s.Root.Path = missing })
		id := "broken-" + filepath.Base(r.Path)
		cleanupContainer(t, r, id)

		// An earlier failure in the same log must not be reported again.
		if err := r.Kill(ctx, id, syscall.SIGKILL, false); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Kill before create = %v, want ErrNotFound", err)
		}
		err := r.Create(ctx, id, bundle, CreateOpts{})
		var rerr *Error
		if !errors.As(err, &rerr) {
			t.Fatalf("Create with a missing rootfs = %v, want an *Error", err)
		}
		if !strings.Contains(rerr.Msg, missing) {
			t.Errorf("message %q does not name %s", rerr.Msg, missing)
		}
		if errors.Is(err, ErrNotFound) {
			t.Errorf("create failure %q taken for a missing container", rerr.Msg)
		}
		msgs := logErrors(t, r.LogPath(id))
		if len(msgs) < 2 || msgs[len(msgs)-1] != rerr.Msg {
			t.Errorf("message %q is not the log's last error line; log errors: %q", rerr.Msg, msgs)
		}
	})
}

func logErrors(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("runtime log: %v", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct{ Level, Msg string }
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Errorf("log line %q is not JSON: %v", sc.Text(), err)
			continue
		}
		if line.Level == "error" {
			out = append(out, strings.TrimSpace(line.Msg))
		}
	}
	return out
}

func TestErrorClasses(t *testing.T) {
	for _, tc := range []struct {
		op, msg                 string
		notFound, notRun, exist bool
	}{
		{op: "kill", msg: "container does not exist", notFound: true},
		{op: "delete", msg: `container "x" does not exist`, notFound: true},
		{op: "kill", msg: "container not running", notRun: true},
		{op: "kill", msg: "cannot kill container: container not running", notRun: true},
		{op: "create", msg: "container with given ID already exists", exist: true},
		{op: "create", msg: "container with id exists: x", exist: true},
		{op: "create", msg: "invalid config: rootfs (/x) does not exist"},
		{op: "start", msg: "permission denied"},
	} {
		t.Run(tc.op+" "+tc.msg, func(t *testing.T) {
			err := fmt.Errorf("wrapped: %w", &Error{Op: tc.op, ID: "x", Msg: tc.msg})
			if got := errors.Is(err, ErrNotFound); got != tc.notFound {
				t.Errorf("ErrNotFound = %v", got)
			}
			if got := errors.Is(err, ErrNotRunning); got != tc.notRun {
				t.Errorf("ErrNotRunning = %v", got)
			}
			if got := errors.Is(err, ErrExists); got != tc.exist {
				t.Errorf("ErrExists = %v", got)
			}
		})
	}
}

func TestLastErrorReadsOnlyNewLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.json")
	old := `{"level":"error","msg":"old failure","time":"2026-01-01T00:00:00Z"}` + "\n"
	lines := old +
		`{"level":"warning","msg":"a warning"}` + "\n" +
		`not json` + "\n" +
		`{"level":"error","msg":"first new failure"}` + "\n" +
		`{"level":"error","msg":"  last new failure  "}` + "\n" +
		`{"level":"info","msg":"after"}` + "\n"
	if err := os.WriteFile(path, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		offset int64
		want   string
	}{
		{name: "whole log", offset: 0, want: "last new failure"},
		{name: "after the old line", offset: int64(len(old)), want: "last new failure"},
		{name: "nothing new", offset: int64(len(lines)), want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := lastError(path, tc.offset); got != tc.want {
				t.Errorf("lastError = %q, want %q", got, tc.want)
			}
		})
	}
	if got := lastError(filepath.Join(t.TempDir(), "absent"), 0); got != "" {
		t.Errorf("lastError of a missing log = %q", got)
	}
}

func TestTerminal(t *testing.T) {
	forEachRuntime(t, func(t *testing.T, r *Runtime) {
		ctx := testContext(t)
		bundle := testutil.Bundle(t, []string{"sh", "-c", "tty; sleep 60"}, func(s *specs.Spec) { s.Process.Terminal = true })
		id := "tty-" + filepath.Base(r.Path)
		cleanupContainer(t, r, id)

		sock, err := consolesocket.Listen()
		if err != nil {
			t.Fatal(err)
		}
		defer sock.Close()
		masters := make(chan *os.File, 1)
		go func() {
			m, err := sock.ReceiveMaster()
			if err != nil {
				t.Errorf("ReceiveMaster: %v", err)
			}
			masters <- m
		}()
		if err := r.Create(ctx, id, bundle, CreateOpts{ConsoleSocket: sock.Path()}); err != nil {
			t.Fatalf("Create with a terminal: %v", err)
		}
		master := <-masters
		if master == nil {
			t.FailNow()
		}
		defer master.Close()
		if err := r.Start(ctx, id); err != nil {
			t.Fatalf("Start: %v", err)
		}
		line, err := bufio.NewReader(master).ReadString('\n')
		if err != nil {
			t.Fatalf("read the terminal: %v", err)
		}
		if got := strings.TrimSpace(line); got != "/dev/pts/0" {
			t.Errorf("tty in the container = %q, want /dev/pts/0", got)
		}

		// An exec with its own terminal.
		esock, err := consolesocket.Listen()
		if err != nil {
			t.Fatal(err)
		}
		defer esock.Close()
		go func() {
			m, err := esock.ReceiveMaster()
			if err != nil {
				t.Errorf("ReceiveMaster for exec: %v", err)
			}
			masters <- m
		}()
		p := process([]string{"sh", "-c", "tty"})
		p.Terminal = true
		if err := r.Exec(ctx, id, p, ExecOpts{Detach: true, ConsoleSocket: esock.Path()}); err != nil {
			t.Fatalf("Exec with a terminal: %v", err)
		}
		emaster := <-masters
		if emaster == nil {
			t.FailNow()
		}
		defer emaster.Close()
		line, err = bufio.NewReader(emaster).ReadString('\n')
		if err != nil {
			t.Fatalf("read the exec terminal: %v", err)
		}
		if got := strings.TrimSpace(line); !strings.HasPrefix(got, "/dev/pts/") || got == "/dev/pts/0" {
			t.Errorf("exec tty = %q, want another /dev/pts/N", got)
		}
	})
}
