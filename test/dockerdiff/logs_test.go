package dockerdiff

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// logScript writes to both streams, with pauses so the two pipes' order
// is the order written, a line without a newline at the end, and output
// after a pause that --since can separate.
const logScript = `for i in 1 2 3; do echo out $i; sleep 0.05; echo err $i >&2; sleep 0.05; done; sleep 1.2; echo late; printf 'no newline'`

// testLogsAlike runs the same detached container under both engines and
// compares what `logs` prints with the same flags: each stream on its
// own, --tail counting both together, --since and --until, -t's form,
// and rotation by --log-opt.
func testLogsAlike(t *testing.T, e engines) {
	var ids [2]string
	var wg sync.WaitGroup
	for i, engine := range [][]string{e.docker, e.ward} {
		wg.Go(func() {
			r := run(nil, append(slices.Clone(engine), "run", "-d", "--network", "none", image, "sh", "-c", logScript)...)
			if r.code != 0 {
				t.Errorf("%s run: exit %d: %s", engine[0], r.code, r.stderr)
				return
			}
			ids[i] = strings.TrimSpace(r.stdout)
			run(nil, append(slices.Clone(engine), "logs", "-f", ids[i])...) // until it exits
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	defer run(nil, append(slices.Clone(e.docker), "rm", "-f", ids[0])...)
	defer run(nil, append(slices.Clone(e.ward), "rm", "-f", ids[1])...)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"all", nil},
		{"tail 3", []string{"--tail", "3"}},
		{"tail 0", []string{"--tail", "0"}},
		{"tail all", []string{"--tail", "all"}},
		{"since a duration", []string{"--since", "1h"}},
		{"since the future", []string{"--since", "2099-01-01T00:00:00Z"}},
		{"until the past", []string{"--until", "2000-01-01"}},
		{"until a duration ago", []string{"--until", "1h"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := run(nil, append(append(slices.Clone(e.docker), "logs"), append(c.args, ids[0])...)...)
			got := run(nil, append(append(slices.Clone(e.ward), "logs"), append(c.args, ids[1])...)...)
			if want.code != 0 || got.code != 0 || want.stdout != got.stdout || want.stderr != got.stderr {
				t.Errorf("docker: exit %d, stdout %q, stderr %q\nward:   exit %d, stdout %q, stderr %q",
					want.code, want.stdout, want.stderr, got.code, got.stdout, got.stderr)
			}
		})
	}
	// The late line alone: --since a time between the burst and it.
	t.Run("since between", func(t *testing.T) {
		for i, engine := range [][]string{e.docker, e.ward} {
			ts := run(nil, append(slices.Clone(engine), "logs", "-t", ids[i])...).stdout
			var late time.Time
			for _, l := range strings.Split(ts, "\n") {
				if stamp, text, ok := strings.Cut(l, " "); ok && text == "late" {
					late, _ = time.Parse(time.RFC3339Nano, stamp)
				}
			}
			if late.IsZero() {
				t.Fatalf("%s logs -t: no late line in %q", engine[0], ts)
			}
			since := late.Add(-500 * time.Millisecond).Format(time.RFC3339Nano)
			if got := run(nil, append(slices.Clone(engine), "logs", "--since", since, ids[i])...); got.stdout != "late\nno newline" {
				t.Errorf("%s logs --since %s: %q", engine[0], since, got.stdout)
			}
		}
	})
	t.Run("timestamps", func(t *testing.T) {
		stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z (out|err) \d$`)
		for i, engine := range [][]string{e.docker, e.ward} {
			r := run(nil, append(slices.Clone(engine), "logs", "-t", ids[i])...)
			errLines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if len(errLines) != 3 {
				t.Errorf("%s logs -t: stderr %q, want 3 lines", engine[0], r.stderr)
			}
			for _, l := range errLines {
				if !stamp.MatchString(l) {
					t.Errorf("%s logs -t: stderr line %q is not TIME TEXT", engine[0], l)
				}
			}
		}
	})
}

// testLogRotationAlike writes far more than --log-opt max-size keeps
// under both engines: both keep the newest lines and about
// max-size*max-file of them, and neither loses the last line.
func testLogRotationAlike(t *testing.T, e engines) {
	counts := map[string]int{}
	for _, engine := range [][]string{e.docker, e.ward} {
		r := run(nil, append(slices.Clone(engine), "run", "-d", "--network", "none", "--log-opt", "max-size=10k", "--log-opt", "max-file=3",
			image, "sh", "-c", "seq 1 5000")...)
		if r.code != 0 {
			t.Fatalf("%s run: exit %d: %s", engine[0], r.code, r.stderr)
		}
		id := strings.TrimSpace(r.stdout)
		defer run(nil, append(slices.Clone(engine), "rm", "-f", id)...)
		if f := run(nil, append(slices.Clone(engine), "logs", "-f", id)...); f.code != 0 { // until it exits
			t.Errorf("%s logs -f: exit %d: %s", engine[0], f.code, f.stderr)
		}
		out := run(nil, append(slices.Clone(engine), "logs", id)...).stdout
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if lines[len(lines)-1] != "5000" {
			t.Errorf("%s: last line %q, want 5000", engine[0], lines[len(lines)-1])
		}
		counts[engine[0]] = len(lines)
	}
	// About 30 KiB of entries of about 60 bytes: some 500 lines, give or
	// take a file's worth depending on where each engine cuts.
	for eng, n := range counts {
		if n < 250 || n > 700 {
			t.Errorf("%s kept %d lines of 5000 with max-size=10k max-file=3", eng, n)
		}
	}
	t.Logf("lines kept: %v", counts)
}
