package dockerdiff

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/wardproject/ward/internal/testutil/imagearchive"
)

// healthImage is busybox with a HEALTHCHECK: healthy once /tmp/ok exists.
const healthImage = "ward.test/busybox-health:1"

// testHealthChecksAlike runs the same detached container with a health
// check under both engines and compares what inspect and ps say once it
// settled: the check's configuration (flags over the image's), the
// status, the failing streak, the exit codes of the logged checks, and
// ps's "(healthy)".
func testHealthChecksAlike(t *testing.T, e engines) {
	archive := filepath.Join(t.TempDir(), "health.tar")
	imagearchive.Write(t, archive, healthImage, busyboxLayer(t), v1.ImageConfig{
		Env: []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, Cmd: []string{"sh"},
	}, imagearchive.WithHealthcheck([]string{"CMD-SHELL", "test -e /tmp/ok"}, 200*time.Millisecond, 2))
	for _, load := range [][]string{append(slices.Clone(e.docker), "load", "-i", archive), append(slices.Clone(e.ward), "load", "-q", "-i", archive)} {
		if o := run(nil, load...); o.code != 0 {
			t.Fatalf("%s: exit %d: %s", strings.Join(load, " "), o.code, o.stderr)
		}
	}
	fast := []string{"--health-interval", "200ms", "--health-retries", "2"}
	cases := []struct {
		name   string
		flags  []string
		img    string
		script string
		want   string // the status both must settle on
	}{
		{"healthy", append([]string{"--health-cmd", "echo fine"}, fast...), image, "sleep 100", "healthy"},
		{"unhealthy", append([]string{"--health-cmd", "echo bad; exit 3"}, fast...), image, "sleep 100", "unhealthy"},
		{"starting, then healthy", append([]string{"--health-cmd", "test -e /tmp/ok"}, fast...), image, "sleep 1; touch /tmp/ok; sleep 100", "healthy"},
		{"start period", append([]string{"--health-cmd", "false", "--health-start-period", "30s"}, fast...), image, "sleep 100", "starting"},
		{"image HEALTHCHECK", nil, healthImage, "touch /tmp/ok; sleep 100", "healthy"},
		{"image HEALTHCHECK, flag over it", []string{"--health-cmd", "exit 1"}, healthImage, "touch /tmp/ok; sleep 100", "unhealthy"},
		{"no-healthcheck", []string{"--no-healthcheck"}, healthImage, "sleep 100", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var want, got healthOutcome
			var wg sync.WaitGroup
			wg.Go(func() { want = e.health(t, e.docker, c.flags, c.img, c.script, c.want) })
			wg.Go(func() { got = e.health(t, e.ward, c.flags, c.img, c.script, c.want) })
			wg.Wait()
			if got.config != want.config || got.status != want.status || got.psSuffix != want.psSuffix || got.lastExit != want.lastExit || (got.streak == 0) != (want.streak == 0) {
				t.Errorf("docker: %+v\nward:   %+v", want, got)
			}
			wantSuffix := map[string]string{"": "", "starting": "(health: starting)"}[c.want]
			if c.want == "healthy" || c.want == "unhealthy" {
				wantSuffix = "(" + c.want + ")"
			}
			if got.psSuffix != wantSuffix {
				t.Errorf("ward ps shows %q, want %q", got.psSuffix, wantSuffix)
			}
		})
	}
}

type healthOutcome struct {
	config, status, psSuffix string
	streak, lastExit         int
}

// health runs script detached, waits (up to 15 s) until inspect shows
// the wanted status, then a second more for "starting" so a check that
// should not count has had its chance, and reads the outcome.
func (e engines) health(t *testing.T, engine, flags []string, img, script, want string) healthOutcome {
	t.Helper()
	name := filepath.Base(engine[0])
	r := run(nil, append(append(append(slices.Clone(engine), "run", "-d", "--network", "none"), flags...), img, "sh", "-c", script)...)
	if r.code != 0 {
		t.Fatalf("%s run: exit %d: %s", name, r.code, r.stderr)
	}
	id := strings.TrimSpace(r.stdout)
	defer run(nil, append(slices.Clone(engine), "rm", "-f", id)...)
	var out healthOutcome
	read := func() {
		insp := run(nil, append(slices.Clone(engine), "inspect", id)...)
		var recs []struct {
			Config struct{ Healthcheck json.RawMessage }
			State  struct {
				Health *struct {
					Status        string
					FailingStreak int
					Log           []struct{ ExitCode int }
				}
			}
		}
		if err := json.Unmarshal([]byte(insp.stdout), &recs); err != nil || len(recs) != 1 {
			t.Fatalf("%s inspect: %v: %s", name, err, insp.stdout)
		}
		out = healthOutcome{config: string(recs[0].Config.Healthcheck)}
		if h := recs[0].State.Health; h != nil {
			out.status, out.streak = h.Status, h.FailingStreak
			if len(h.Log) > 0 {
				out.lastExit = h.Log[len(h.Log)-1].ExitCode
			}
		}
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		read()
		if out.status == want && (want != "starting" && want != "") {
			break
		}
		if want == "starting" || want == "" {
			time.Sleep(time.Second)
			read()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: health %q after 15s, want %q", name, out.status, want)
		}
	}
	// ps's table: the STATUS column of this container's line, from "Up".
	ps := run(nil, append(slices.Clone(engine), "ps")...)
	found := false
	for _, line := range strings.Split(ps.stdout, "\n") {
		if !strings.HasPrefix(line, id[:12]) {
			continue
		}
		found = true
		_, status, _ := strings.Cut(line, "   Up ")
		if open := strings.Index(status, "("); open >= 0 {
			if end := strings.Index(status[open:], ")"); end >= 0 {
				out.psSuffix = status[open : open+end+1]
			}
		}
	}
	if !found {
		t.Fatalf("%s ps: no line for %s:\n%s", name, id[:12], ps.stdout)
	}
	return out
}
