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

// testStopAndRestartAlike runs the same detached container under both
// engines, stops or restarts it the same way, and compares what the
// container printed and how it ended: the stop signal from
// --stop-signal or the image's STOPSIGNAL, the SIGKILL after
// --stop-timeout or -t, and restart's stop then start.
func testStopAndRestartAlike(t *testing.T, e engines) {
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

// testRestartPoliciesAlike runs the same failing or exiting container
// with each restart policy under both engines and compares how many
// times it ran, its RestartCount and how it ended; then that stop ends
// an always-restarting container for good.
func testRestartPoliciesAlike(t *testing.T, e engines) {
	cases := []struct {
		name   string
		policy string
		script string
		runs   int // how many "run" lines once it settled
	}{
		{"no", "no", "echo run; exit 2", 1},
		{"on-failure with a count", "on-failure:2", "echo run; exit 2", 3},
		{"on-failure, success", "on-failure", "echo run; exit 0", 1},
		// Runs 1 (first) + restarts; it is stopped after its third run.
		{"always, then stop", "always", "echo run; exit 0", 3},
		{"unless-stopped, then stop", "unless-stopped", "echo run; exit 1", 3},
		{"always, then kill", "always", "echo run; exit 0", 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			verb := []string{"stop", "-t", "1"}
			if strings.HasSuffix(c.name, "kill") {
				verb = []string{"kill"}
			}
			var want, got restartOutcome
			var wg sync.WaitGroup
			wg.Go(func() { want = e.restarted(t, e.docker, c.policy, c.script, c.runs, verb) })
			wg.Go(func() { got = e.restarted(t, e.ward, c.policy, c.script, c.runs, verb) })
			wg.Wait()
			stopped := c.policy == "always" || c.policy == "unless-stopped"
			if stopped {
				// When stop lands, against the back-off, is timing: compare
				// that each engine counted its own runs (the restart during
				// whose back-off stop came is counted, as Docker does) and
				// that none ran after stop.
				for _, o := range []*restartOutcome{&want, &got} {
					if (o.restartCount != o.runs-1 && o.restartCount != o.runs) || o.runs != o.runsAtStop {
						t.Errorf("%+v: RestartCount is neither runs-1 nor runs, or it ran after stop", *o)
					}
					o.runs, o.runsAtStop, o.restartCount = 0, 0, 0
				}
			}
			if got != want {
				t.Errorf("docker: %+v\nward:   %+v", want, got)
			}
			if !stopped && want.runs != c.runs {
				t.Errorf("docker ran %d times, want %d", want.runs, c.runs)
			}
		})
	}
}

// restartOutcome is how a container with a restart policy settled.
type restartOutcome struct {
	runs, runsAtStop, restartCount, exitCode int
	running, restarting                      bool
}

// restarted runs script detached under policy until it has printed "run"
// runs times and settled (or, for always and unless-stopped, stops or
// kills it with verb then), and reads back its state a while later: a
// stopped container must stay stopped.
func (e engines) restarted(t *testing.T, engine []string, policy, script string, runs int, verb []string) restartOutcome {
	t.Helper()
	name := filepath.Base(engine[0])
	r := run(nil, append(slices.Clone(engine), "run", "-d", "--network", "none", "--restart", policy, image, "sh", "-c", script)...)
	if r.code != 0 {
		t.Fatalf("%s run --restart %s: exit %d: %s", name, policy, r.code, r.stderr)
	}
	id := strings.TrimSpace(r.stdout)
	defer run(nil, append(slices.Clone(engine), "rm", "-f", id)...)
	count := func() int {
		return strings.Count(run(nil, append(slices.Clone(engine), "logs", id)...).stdout, "run")
	}
	for deadline := time.Now().Add(20 * time.Second); count() < runs; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s --restart %s: %d runs after 20s, want %d", name, policy, count(), runs)
		}
	}
	var out restartOutcome
	if policy == "always" || policy == "unless-stopped" {
		if r := run(nil, append(append(slices.Clone(engine), verb...), id)...); r.code != 0 && !strings.Contains(r.stderr, "not running") && !strings.Contains(r.stderr, "is not running") {
			t.Fatalf("%s %s: exit %d: %s", name, verb[0], r.code, r.stderr)
		}
		out.runsAtStop = count()
	}
	// Long enough for one more restart (the back-off is at most 400 ms
	// here) if anything were to restart it.
	time.Sleep(1500 * time.Millisecond)
	out.runs = count()
	insp := run(nil, append(slices.Clone(engine), "inspect", id)...)
	var recs []struct {
		RestartCount int
		State        struct {
			ExitCode            int
			Running, Restarting bool
		}
	}
	if err := json.Unmarshal([]byte(insp.stdout), &recs); err != nil || len(recs) != 1 {
		t.Fatalf("%s inspect %s: %v: %s", name, id, err, insp.stdout)
	}
	out.restartCount, out.exitCode = recs[0].RestartCount, recs[0].State.ExitCode
	out.running, out.restarting = recs[0].State.Running, recs[0].State.Restarting
	return out
}

// testForegroundAlike covers a container run in the foreground with a
// restart policy and a health check: the client returns the first exit's
// status, the container is restarted in the background (Docker's daemon,
// ward's monitor), and the checks run while it runs.
func testForegroundAlike(t *testing.T, e engines) {
	type outcome struct {
		code, runs, restartCount int
		running                  bool
		health                   string
	}
	one := func(engine []string) outcome {
		name := "fg-" + strings.ReplaceAll(filepath.Base(engine[0]), "/", "")
		defer run(nil, append(slices.Clone(engine), "rm", "-f", name)...)
		r := run(nil, append(slices.Clone(engine), "run", "--name", name, "--network", "none", "--restart", "on-failure:2",
			"--health-cmd", "echo hi", "--health-interval", "200ms", image, "sh", "-c", "echo run; sleep 1; exit 3")...)
		out := outcome{code: r.code}
		if r.code != 3 {
			t.Logf("%s run: exit %d: %s", engine[0], r.code, r.stderr)
		}
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			insp := run(nil, append(slices.Clone(engine), "inspect", name)...)
			var recs []struct {
				RestartCount int
				State        struct {
					Running, Restarting bool
					Health              *struct{ Status string }
				}
			}
			if err := json.Unmarshal([]byte(insp.stdout), &recs); err != nil || len(recs) != 1 {
				t.Fatalf("%s inspect: %v: %s", engine[0], err, insp.stdout)
			}
			out.restartCount, out.running = recs[0].RestartCount, recs[0].State.Running
			if recs[0].State.Running && recs[0].State.Health != nil && recs[0].State.Health.Status != "starting" {
				out.health = recs[0].State.Health.Status // seen while it ran
			}
			if out.restartCount == 2 && !recs[0].State.Running && !recs[0].State.Restarting {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not settled after 20s: %+v", engine[0], out)
			}
		}
		out.runs = strings.Count(run(nil, append(slices.Clone(engine), "logs", name)...).stdout, "run")
		return out
	}
	var want, got outcome
	var wg sync.WaitGroup
	wg.Go(func() { want = one(e.docker) })
	wg.Go(func() { got = one(e.ward) })
	wg.Wait()
	if got != want || want.code != 3 || want.runs != 3 {
		t.Errorf("docker: %+v\nward:   %+v", want, got)
	}
}
