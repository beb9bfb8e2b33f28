package managers

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// step is one thing a manager does to a container and what the container
// showed: do returns the observation, normalized so that it does not vary
// between runs (no IDs, PIDs or times); want checks what must hold under
// any runtime.
type step struct {
	name string
	do   func() (string, error)
	want func(seen string) error
	// gate marks a step the later ones depend on (the container they act
	// on): when it fails they are not run, so one failure reads as one.
	gate bool
}

// observation is what one step showed under one runtime.
type observation struct {
	step string
	seen string
	err  error
}

// runSteps runs the steps in order under rt and reports each failure with
// the runtime calls that failed and the runtime's last log.json line.
func runSteps(t *testing.T, rt runtimeUnderTest, steps []step) []observation {
	t.Helper()
	var out []observation
	stopped := ""
	for _, s := range steps {
		if stopped != "" {
			out = append(out, observation{step: s.name, err: fmt.Errorf("not run: %s", stopped)})
			continue
		}
		start := time.Now()
		seen, err := s.do()
		t.Logf("%s: %s", s.name, time.Since(start).Round(time.Millisecond))
		switch {
		case err != nil:
			t.Errorf("%s: %v", s.name, err)
		case s.want != nil:
			if werr := s.want(seen); werr != nil {
				err = werr
				t.Errorf("%s: %v; the container showed:\n%s", s.name, werr, seen)
			}
		}
		switch {
		case errors.Is(err, errTimeout):
			// A hung runtime would make every later step wait as long.
			stopped = s.name + " timed out"
		case err != nil && s.gate:
			stopped = s.name + " failed"
		}
		if stopped != "" {
			t.Errorf("later steps not run: %s", stopped)
		}
		out = append(out, observation{step: s.name, seen: seen, err: err})
	}
	// A manager tolerates some failed calls (kill after exit): list them
	// even when every step passed.
	if failed := rt.failedCalls(); failed != "" {
		t.Logf("runtime calls that failed (recorded by the wrapper around %s):\n%s", rt.name, failed)
	}
	// The verbs the manager called, each with its exit code: a runtime
	// that answers differently from runc makes the manager call differently.
	verbs := strings.Join(rt.verbs(), " ")
	t.Logf("runtime verbs called: %s", verbs)
	return append(out, observation{step: "runtime verbs and exit codes", seen: verbs})
}

// compareWithReference checks that every step that worked under both
// runtimes showed the same thing under each as under runc.
func compareWithReference(t *testing.T, seen map[string][]observation) {
	t.Helper()
	ref, ok := seen[reference]
	if !ok {
		return
	}
	byStep := map[string]observation{}
	for _, o := range ref {
		byStep[o.step] = o
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		if n != reference {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		t.Run(n+"_matches_runc", func(t *testing.T) {
			for _, o := range seen[n] {
				r, ok := byStep[o.step]
				if !ok || r.err != nil || o.err != nil {
					continue
				}
				if r.seen != o.seen {
					t.Errorf("%s: %s differs from runc:\n%s", o.step, n, lineDiff(r.seen, o.seen, n))
				}
			}
		})
	}
}

// lineDiff shows two observations line by line: "  " for a line both
// have, "- " for runc only, "+ " for the other runtime only. Lines are
// matched by a longest common subsequence, which is enough for the short
// outputs compared here.
func lineDiff(ref, other, name string) string {
	a, b := strings.Split(ref, "\n"), strings.Split(other, "\n")
	if len(a) == 1 && len(b) == 1 {
		return fmt.Sprintf("- runc: %s\n+ %s: %s", ref, name, other)
	}
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
	var out strings.Builder
	fmt.Fprintf(&out, "(- runc only, + %s only)\n", name)
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out.WriteString("  " + a[i] + "\n")
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			out.WriteString("- " + a[i] + "\n")
			i++
		default:
			out.WriteString("+ " + b[j] + "\n")
			j++
		}
	}
	return strings.TrimRight(out.String(), "\n")
}

// contains returns a want function requiring each substring.
func contains(subs ...string) func(string) error {
	return func(seen string) error {
		for _, s := range subs {
			if !strings.Contains(seen, s) {
				return fmt.Errorf("want %q", s)
			}
		}
		return nil
	}
}

// equals returns a want function requiring exactly s.
func equals(s string) func(string) error {
	return func(seen string) error {
		if seen != s {
			return fmt.Errorf("want %q, got %q", s, seen)
		}
		return nil
	}
}

// clean trims output and turns a terminal's CRLF into LF.
func clean(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// statusScript prints who the process is and what it may do: identity,
// capability sets, no_new_privs and seccomp mode.
const statusScript = `id; grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/self/status`

// Capability masks as /proc/self/status prints them.
const (
	dockerDefaultCaps = "00000000a80425fb"
	noCaps            = "0000000000000000"
)

// mountsScript prints the hostname, then each mount point with its type
// and whether it is read-only, sorted. The tmpfs at /sys/fs/cgroup itself
// is left out: runc 1.1.5 leaves it writable and mounts no cgroup2
// "unified" view on a hybrid host, where ward-runtime makes the tmpfs
// read-only too (the spec asks for "ro") and adds the container's own
// cgroup2 view. The cgroup hierarchies under it are still compared.
const mountsScript = `hostname; awk '{split($4, o, ","); if ($2 != "/sys/fs/cgroup" && $2 != "/sys/fs/cgroup/unified") print $2, $3, o[1]}' /proc/self/mounts | sort`

// limitsScript prints the memory and pids limits of the container's own
// cgroup, as the container sees them: v1 controllers on a hybrid host,
// the unified files on a v2 host.
const limitsScript = `if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	echo memory $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes); echo pids $(cat /sys/fs/cgroup/pids/pids.max)
	echo cpu $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)/$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)
else
	echo memory $(cat /sys/fs/cgroup/memory.max); echo pids $(cat /sys/fs/cgroup/pids.max)
	echo cpu $(cat /sys/fs/cgroup/cpu.max | tr ' ' /)
fi`
