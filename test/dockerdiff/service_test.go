package dockerdiff

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/wardproject/ward/internal/testutil/imagearchive"
)

// stopImage is busybox whose config says STOPSIGNAL SIGUSR1, as nginx's
// says SIGQUIT.
const stopImage = "ward.test/busybox-stopsignal:1"

// trapScript prints which signal reached the container's main process
// and exits with a status of its own, so both the log and the exit code
// tell which signal `stop` sent; TERM is ignored unless asked for.
const trapScript = `trap 'echo got USR1; exit 3' USR1; trap 'echo got QUIT; exit 4' QUIT; trap '' TERM; echo ready; while :; do sleep 0.1; done`

// TestStopAndRestartAlike runs the same detached container under both
// engines, stops or restarts it the same way, and compares what the
// container printed and how it ended: the stop signal from
// --stop-signal or the image's STOPSIGNAL, the SIGKILL after
// --stop-timeout or -t, and restart's stop then start.
func TestStopAndRestartAlike(t *testing.T) {
	e := setUp(t)
	archive := filepath.Join(t.TempDir(), "stop.tar")
	imagearchive.Write(t, archive, stopImage, busyboxLayer(t), v1.ImageConfig{
		Env: []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, Cmd: []string{"sh"}, StopSignal: "SIGUSR1",
	})
	for _, load := range [][]string{append(slices.Clone(e.docker), "load", "-i", archive), append(slices.Clone(e.ward), "load", "-q", "-i", archive)} {
		if o := run(nil, load...); o.code != 0 {
			t.Fatalf("%s: exit %d: %s", strings.Join(load, " "), o.code, o.stderr)
		}
	}
	cases := []struct {
		name     string
		runFlags []string
		img      string
		verb     []string // stop or restart, with its flags
		// maxWait bounds how long the verb may take: under the 10 s
		// default when a shorter timeout or a handled signal applies.
		maxWait time.Duration
	}{
		{"stop-signal", []string{"--stop-signal", "SIGQUIT"}, image, []string{"stop"}, 8 * time.Second},
		{"image STOPSIGNAL", nil, stopImage, []string{"stop"}, 8 * time.Second},
		{"stop-signal over the image's", []string{"--stop-signal", "QUIT"}, stopImage, []string{"stop"}, 8 * time.Second},
		{"stop-timeout, TERM ignored", []string{"--stop-timeout", "1"}, image, []string{"stop"}, 8 * time.Second},
		{"stop -t over stop-timeout", []string{"--stop-timeout", "30"}, image, []string{"stop", "-t", "1"}, 8 * time.Second},
		{"restart with the image's STOPSIGNAL", nil, stopImage, []string{"restart"}, 8 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var want, got serviceOutcome
			var wg sync.WaitGroup
			wg.Go(func() { want = e.stopped(t, e.docker, c.runFlags, c.img, c.verb) })
			wg.Go(func() { got = e.stopped(t, e.ward, c.runFlags, c.img, c.verb) })
			wg.Wait()
			if got.logs != want.logs || got.exitCode != want.exitCode || got.running != want.running {
				t.Errorf("docker: logs %q, exit code %s, running %s\nward:   logs %q, exit code %s, running %s",
					want.logs, want.exitCode, want.running, got.logs, got.exitCode, got.running)
			}
			for _, o := range []serviceOutcome{want, got} {
				if o.took > c.maxWait {
					t.Errorf("%s %s took %s, more than %s", o.engine, strings.Join(c.verb, " "), o.took, c.maxWait)
				}
			}
		})
	}
}

// serviceOutcome is what one engine's container did around stop or restart.
type serviceOutcome struct {
	engine            string
	logs              string
	exitCode, running string
	took              time.Duration
}

// stopped runs trapScript detached with flags, waits until it is ready,
// runs the verb on it, and reads back its logs and state.
func (e engines) stopped(t *testing.T, engine, flags []string, img string, verb []string) serviceOutcome {
	t.Helper()
	out := serviceOutcome{engine: filepath.Base(engine[0])}
	argv := append(slices.Clone(engine), "run", "-d", "--network", "none")
	argv = append(append(argv, flags...), img, "sh", "-c", trapScript)
	r := run(nil, argv...)
	if r.code != 0 {
		t.Fatalf("%s: exit %d: %s", strings.Join(argv, " "), r.code, r.stderr)
	}
	id := strings.TrimSpace(r.stdout)
	defer run(nil, append(slices.Clone(engine), "rm", "-f", id)...)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if strings.Contains(run(nil, append(slices.Clone(engine), "logs", id)...).stdout, "ready") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: container %s never printed ready", out.engine, id)
		}
	}
	start := time.Now()
	if r := run(nil, append(append(slices.Clone(engine), verb...), id)...); r.code != 0 {
		t.Fatalf("%s %s: exit %d: %s", out.engine, strings.Join(verb, " "), r.code, r.stderr)
	}
	out.took = time.Since(start)
	if verb[0] == "restart" {
		// Wait for the second run's "ready" before reading.
		for deadline := time.Now().Add(10 * time.Second); strings.Count(run(nil, append(slices.Clone(engine), "logs", id)...).stdout, "ready") < 2; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: container %s did not print ready again after restart", out.engine, id)
			}
		}
	}
	out.logs = run(nil, append(slices.Clone(engine), "logs", id)...).stdout
	insp := run(nil, append(slices.Clone(engine), "inspect", id)...)
	var states []struct {
		State struct {
			ExitCode int
			Running  bool
		}
	}
	if err := json.Unmarshal([]byte(insp.stdout), &states); err != nil || len(states) != 1 {
		t.Fatalf("%s inspect %s: %v: %s", out.engine, id, err, insp.stdout)
	}
	out.exitCode, out.running = strconv.Itoa(states[0].State.ExitCode), strconv.FormatBool(states[0].State.Running)
	return out
}
