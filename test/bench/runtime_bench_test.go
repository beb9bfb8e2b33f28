// Package bench measures ward-runtime against runc on the same bundle in
// the same run, alternating between them so that both see the same
// machine, and reports medians and their ratio.
package bench

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/testutil"
)

// sample is one timed invocation.
type sample struct {
	wall   time.Duration
	maxRSS int64 // KiB, the runtime and the descendants it reaped
}

func runOnce(b *testing.B, bin, root string, args ...string) sample {
	cmd := exec.Command(bin, append([]string{"--root", root}, args...)...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		b.Fatalf("%s %v: %v\n%s", bin, args, err, out)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return sample{wall: wall, maxRSS: ru.Maxrss}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkRunTrue runs /bin/true in one bundle with `run`, alternating
// ward-runtime and runc, b.N times each.
func BenchmarkRunTrue(b *testing.B) {
	testutil.RequireRoot(b)
	runc := testutil.RequireTool(b, "runc")
	ward, err := testutil.BuildBinary(b.TempDir(), "ward-runtime")
	if err != nil {
		b.Fatal(err)
	}
	dir := testutil.Bundle(b, []string{"/bin/true"}, func(s *specs.Spec) {})
	wardRoot, runcRoot := b.TempDir(), b.TempDir()
	var wardT, runcT []time.Duration
	var wardRSS, runcRSS int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := fmt.Sprintf("bench-%d-%d", os.Getpid(), i)
		w := runOnce(b, ward, wardRoot, "run", "--bundle", dir, id)
		r := runOnce(b, runc, runcRoot, "run", "--bundle", dir, id)
		wardT, runcT = append(wardT, w.wall), append(runcT, r.wall)
		wardRSS, runcRSS = max(wardRSS, w.maxRSS), max(runcRSS, r.maxRSS)
	}
	b.StopTimer()
	wm, rm := median(wardT), median(runcT)
	b.ReportMetric(float64(wm.Microseconds())/1000, "ward-ms")
	b.ReportMetric(float64(rm.Microseconds())/1000, "runc-ms")
	b.ReportMetric(float64(wm)/float64(rm), "time-ratio")
	b.ReportMetric(float64(wardRSS), "ward-peak-KiB")
	b.ReportMetric(float64(runcRSS), "runc-peak-KiB")
	b.ReportMetric(float64(wardRSS)/float64(runcRSS), "rss-ratio")
}
