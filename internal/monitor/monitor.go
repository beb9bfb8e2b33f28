// Package monitor is the process that watches one detached container for
// as long as it runs: what `ward run -d` and `ward start` leave behind,
// one per container. It is kept small (it imports little beyond package
// os), because it lives as long as its container: the work that needs
// the engine, starting the container and recording its end, runs in
// short-lived ward processes it starts (`ward container-start` and
// `ward container-exited`, internal verbs); the monitor holds the
// container's monitor lock, is the subreaper that reaps the container's
// init and orphans, and copies the container's output to its log: from
// the read ends of its stdout and stderr pipes (output.go), or from a
// terminal container's pty.
//
// The protocol, with the starting ward holding the read end of a pipe
// whose write end is the monitor's fd 3:
//
//	starting ward           monitor                       ward container-start
//	  fork+exec (setsid) -->  monitor lock, subreaper,
//	                          output pipes' write ends
//	                          as fds 3, 4 (or a console
//	                          socket) ------------------>  runtime run --detach
//	                                                        (or create, start),
//	                                                        the write ends as
//	                                                        stdout and stderr
//	                          <-- stdout: "started PID" ---  record "running"
//	                              or "error CODE MSG"       (failure: recorded,
//	  read fd 3 <-----------  "started" or the error line    cleaned up)
//	  print ID, exit          copy the pipes (or the pty)
//	                          to the log, reap until the
//	                          init exits, drain the pipes
//	                          ------------------------->  ward container-exited
//	                                                        record the status,
//	                                                        runtime delete, --rm
//
// EOF on fd 3 without a line means the monitor died: the starting ward
// exits 125. Docker's exit statuses travel in CODE (125, 126, 127).
package monitor

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/jsonlog"
	"github.com/wardproject/ward/internal/linux/consolesocket"
	"github.com/wardproject/ward/internal/monitorlock"
	"github.com/wardproject/ward/internal/rootdir"
)

// Config names the container and the programs the monitor runs.
type Config struct {
	Root string // ward's root (--root)
	ID   string // the container's full ID
	Ward string // the ward binary, run for the container-start and container-exited steps
	// Runtime is the runtime binary, passed on to ward; empty means the
	// one the container was created with.
	Runtime string
	// Log is the container's log, where the monitor copies the
	// container's output from its pipes or its terminal's pty.
	Log string
	Tty bool
	// LogMaxSize and LogMaxFiles rotate the log (--log-opt max-size and
	// max-file); 0 never rotates.
	LogMaxSize  int64
	LogMaxFiles int
	// HealthInterval is how often `ward container-health` runs the
	// container's check; 0 for none.
	HealthInterval time.Duration
	// Observer is ward-observe, started beside each run of a container
	// in --profile-mode log (observer.go); empty for any other.
	Observer string
}

// GoSettings are the Go runtime's settings for a monitor, set in its
// environment by the ward that starts it and left out of the environment
// of the processes it starts.
var GoSettings = []string{"GOMAXPROCS=1", "GOGC=20", "GOMEMLIMIT=4MiB"}

// childEnv is the monitor's environment without GoSettings.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !slices.Contains(GoSettings, kv) {
			env = append(env, kv)
		}
	}
	return env
}

// Run supervises the container: has ward start it, reports to report,
// reaps until the container's init exits, and has ward record its end.
// It returns an *exitstatus.Error when the container could not start.
func Run(cfg Config, report *Reporter) error {
	err := run(cfg, report)
	if err != nil {
		report.Failed(err)
	}
	return err
}

func run(cfg Config, report *Reporter) error {
	dir := rootdir.Layout(cfg.Root).Container(cfg.ID)
	lock, err := monitorlock.Lock(dir)
	if err != nil {
		if errors.Is(err, unix.EWOULDBLOCK) {
			return exitstatus.New(125, errors.New("conflict: container "+cfg.ID+" is already running"))
		}
		return exitstatus.New(125, errors.New("container "+cfg.ID+": "+err.Error()))
	}
	defer lock.Close()
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return exitstatus.New(125, errors.New("become child subreaper: "+err.Error()))
	}
	var delay time.Duration
	for first := true; ; first = false {
		status, ran, err := runOnce(cfg, report, first)
		if err != nil {
			return err
		}
		// The lock is held until the end is recorded: `ward stop` and
		// `ward rm -f` wait for the lock's release to see the final state.
		restart, err := exited(cfg, status)
		if err != nil || !restart {
			return err
		}
		delay = RestartBackoff(delay, ran)
		if stopRequestedDuring(dir, delay) {
			return nil
		}
	}
}

// runOnce starts the container, copies its output, reaps until its init
// exits and returns its status and how long it ran. The first start's
// outcome goes to report; a restart's failure is recorded by ward.
func runOnce(cfg Config, report *Reporter, first bool) (int, time.Duration, error) {
	args := []string{"--root", cfg.Root, "container-start"}
	if cfg.Runtime != "" {
		args = append(args, "--runtime", cfg.Runtime)
	}
	var masterc chan *os.File
	if cfg.Tty {
		sock, err := consolesocket.Listen()
		if err != nil {
			return 0, 0, exitstatus.New(125, errors.New("container "+cfg.ID+": console socket: "+err.Error()))
		}
		defer sock.Close()
		args = append(args, "--console-socket", sock.Path())
		masterc = make(chan *os.File, 1)
		go func() { m, _ := sock.ReceiveMaster(); masterc <- m }()
	}
	var out *output
	var outFiles []*os.File
	var err error
	if !cfg.Tty {
		if out, err = openOutput(cfg.Log, cfg.LogMaxSize, cfg.LogMaxFiles); err != nil {
			return 0, 0, exitstatus.New(125, errors.New("container "+cfg.ID+": "+err.Error()))
		}
		out.start()
		// ward container-start gets the write ends as its fds 3 and 4.
		args = append(args, "--stdout-fd", "3", "--stderr-fd", "4")
		outFiles = out.write[:]
	}
	// In log mode the observer is attached before the runtime creates
	// the container, and read a last time once its init is reaped,
	// before ward records the end.
	// Without it the container does not start, restarts included: its
	// calls outside the profile would go unreported.
	obs, err := startObserver(cfg)
	if err != nil {
		if out != nil {
			out.finish(drainGrace)
		}
		return 0, 0, err
	}
	pid, err := startContainer(cfg, append(args, cfg.ID), outFiles...)
	if err != nil {
		obs.stop()
		if out != nil {
			out.finish(drainGrace)
		}
		if !first {
			// A restart that failed: ward recorded it; nothing to report.
			return 0, 0, nil
		}
		return 0, 0, err
	}
	started := time.Now()
	if out != nil {
		out.closeWrite()
	}
	if first {
		report.Started()
	}

	var copied chan struct{}
	var master *os.File
	if masterc != nil {
		select {
		case master = <-masterc:
		case <-time.After(10 * time.Second):
		}
	}
	if master != nil {
		copied = make(chan struct{})
		go func() {
			defer close(copied)
			if log, err := jsonlog.Open(cfg.Log, cfg.LogMaxSize, cfg.LogMaxFiles); err == nil {
				// A terminal has one stream, stdout, as under Docker.
				s := log.Stream("stdout")
				io.Copy(s, master) // ends with EIO once the slave is closed
				s.Flush()
				log.Close()
			}
		}()
	}
	stopChecks := checkHealth(cfg)
	status := reapUntil(pid)
	stopChecks()
	obs.stop()
	ran := time.Since(started)
	if out != nil {
		// All the output before the end: `ward logs` right after it shows
		// the last lines.
		out.finish(drainGrace)
	}
	if copied != nil {
		select { // the last output, while someone still holds the slave
		case <-copied:
		case <-time.After(2 * time.Second):
		}
		master.Close()
	}
	return status, ran, nil
}

// checkHealth runs `ward container-health` every HealthInterval in the
// background; the function it returns stops that and waits for a check
// under way, so none records anything after the exit. The check's ward
// may be reaped by reapUntil instead of its own wait: its status is not
// needed, it records its result itself.
func checkHealth(cfg Config) (stop func()) {
	if cfg.HealthInterval <= 0 {
		return func() {}
	}
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(cfg.HealthInterval)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				runWard(cfg, os.Stderr, "--root", cfg.Root, "container-health", cfg.ID)
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

// exited has ward record the end and apply the restart policy; ward
// prints "restart" when the policy asks for one.
func exited(cfg Config, status int) (bool, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return false, err
	}
	defer r.Close()
	err = runWard(cfg, w, "--root", cfg.Root, "container-exited", cfg.ID, strconv.Itoa(status))
	w.Close()
	out, _ := io.ReadAll(r)
	return err == nil && strings.TrimSpace(string(out)) == "restart", err
}

// RestartBackoff is Docker's delay before a restart: 100 ms, doubled
// after each run shorter than 10 s, at most a minute; a run of 10 s or
// more starts again from 100 ms. prev is the last delay (0: none) and
// ran how long the last run lasted.
func RestartBackoff(prev, ran time.Duration) time.Duration {
	const first, longest, stable = 100 * time.Millisecond, time.Minute, 10 * time.Second
	if prev == 0 || ran >= stable {
		return first
	}
	return min(prev*2, longest)
}

// stopRequestedDuring waits d, and tells whether `ward stop` (or rm -f)
// marked the container in the meantime (engine.StopRequestedPath): then
// there is no restart.
func stopRequestedDuring(dir string, d time.Duration) bool {
	marker := filepath.Join(dir, "stop-requested")
	for deadline := time.Now().Add(d); ; {
		if _, err := os.Stat(marker); err == nil {
			return true
		}
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		time.Sleep(min(left, 50*time.Millisecond))
	}
}

// drainGrace is how long the monitor waits, once the init has exited,
// for the container's output pipes to reach end of file.
const drainGrace = 2 * time.Second

// startContainer runs `ward container-start`, with extra as its fds from
// 3 up, and returns the init's pid from its one line.
func startContainer(cfg Config, args []string, extra ...*os.File) (int, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return 0, exitstatus.New(125, err)
	}
	defer r.Close()
	err = runWardFiles(cfg, w, extra, args...)
	w.Close()
	out, _ := io.ReadAll(r)
	line := strings.TrimSpace(string(out))
	if rest, ok := strings.CutPrefix(line, "started "); ok {
		if pid, perr := strconv.Atoi(rest); perr == nil && pid > 0 {
			return pid, nil
		}
	}
	if e, ok := parseError(line); ok {
		return 0, e
	}
	msg := "ward container-start of " + cfg.ID + " said nothing"
	if err != nil {
		msg += ": " + err.Error()
	}
	return 0, exitstatus.New(125, errors.New(msg))
}

// runWard runs ward with args, its stdout on out, its stderr on the
// monitor's (the monitor's log), and waits for it.
func runWard(cfg Config, out *os.File, args ...string) error {
	return runWardFiles(cfg, out, nil, args...)
}

// runWardFiles is runWard with extra as ward's fds from 3 up.
func runWardFiles(cfg Config, out *os.File, extra []*os.File, args ...string) error {
	null, err := os.Open(os.DevNull)
	if err != nil {
		return err
	}
	defer null.Close()
	p, err := os.StartProcess(cfg.Ward, append([]string{cfg.Ward}, args...), &os.ProcAttr{
		Dir: "/", Env: childEnv(), Files: append([]*os.File{null, out, os.Stderr}, extra...),
	})
	if err != nil {
		return err
	}
	st, err := p.Wait()
	if err != nil {
		return err
	}
	if !st.Success() {
		return errors.New("ward " + strings.Join(args, " ") + ": " + st.String())
	}
	return nil
}

// reapUntil reaps children (the init, and the orphans reparented to the
// monitor as their subreaper) until the init exits, and returns its
// status as a shell reports it: 128+N for signal N.
func reapUntil(pid int) int {
	for {
		var ws unix.WaitStatus
		got, err := unix.Wait4(-1, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			// The init is not our child: wait for it to go, status unknown.
			for unix.Kill(pid, 0) == nil {
				time.Sleep(50 * time.Millisecond)
			}
			return 255
		}
		if got != pid {
			continue
		}
		if ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ws.ExitStatus()
	}
}
