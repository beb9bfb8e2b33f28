// Package bench measures ward-runtime against runc on the same bundle in
// the same run, alternating between them so that both see the same
// machine, and reports medians and their ratio.
package bench

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/runspec"
	"github.com/wardproject/ward/internal/testutil"
)

// sample is one timed invocation.
type sample struct {
	wall   time.Duration
	maxRSS int64 // KiB, the runtime and the descendants it reaped
}

func runOnce(b *testing.B, bin, root string, args ...string) sample {
	// GNU time forks the runtime from its own small process and reports
	// the runtime's peak RSS (and its reaped descendants'): a child forked
	// straight from this test process would start from this process's own
	// high-water mark, which Linux carries over into the child through exec.
	timeTool := testutil.RequireTool(b, "time")
	dir := b.TempDir()
	rssFile := filepath.Join(dir, "rss")
	cmd := exec.Command(timeTool, append([]string{"-f", "%M", "-o", rssFile, bin, "--root", root}, args...)...)
	// A file, not a pipe: after create the container's init holds its
	// stdio open, and a pipe would never reach EOF.
	out, err := os.CreateTemp(dir, "out")
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		msg, _ := os.ReadFile(out.Name())
		b.Fatalf("%s %v: %v\n%s", bin, args, err, msg)
	}
	data, err := os.ReadFile(rssFile)
	if err != nil {
		b.Fatal(err)
	}
	kib, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		b.Fatalf("time's report %q: %v", data, err)
	}
	return sample{wall: wall, maxRSS: kib}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// bundles are the specs both runtimes run: runc's example, and one shaped
// like Docker's (its 14 capabilities and default seccomp profile, memory
// and pids limits in a cgroup).
func bundles(b *testing.B) map[string]string {
	caps := []string{
		"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
		"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
		"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
	}
	mem, pids := int64(256<<20), int64(100)
	return map[string]string{
		"example": testutil.Bundle(b, []string{"/bin/true"}, nil),
		"seccomp+cgroups": testutil.Bundle(b, []string{"/bin/true"}, func(s *specs.Spec) {
			s.Process.Capabilities = &specs.LinuxCapabilities{Bounding: caps, Effective: caps, Permitted: caps}
			profile, err := runspec.DockerSeccomp(caps)
			if err != nil {
				b.Fatal(err)
			}
			s.Linux.Seccomp = profile
			s.Linux.Resources = &specs.LinuxResources{
				Memory:  &specs.LinuxMemory{Limit: &mem},
				Pids:    &specs.LinuxPids{Limit: &pids},
				Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}},
			}
		}),
	}
}

// compare runs one lifecycle (a function of binary, root and container ID
// returning its samples) under ward-runtime and runc alternately, b.N
// times, and reports medians and ratios.
func compare(b *testing.B, lifecycle func(b *testing.B, bin, root, id string) sample) {
	testutil.RequireRoot(b)
	runc := testutil.RequireTool(b, "runc")
	ward, err := testutil.BuildBinary(b.TempDir(), "ward-runtime")
	if err != nil {
		b.Fatal(err)
	}
	wardRoot, runcRoot := b.TempDir(), b.TempDir()
	var wardT, runcT []time.Duration
	var wardRSS, runcRSS int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := fmt.Sprintf("bench-%d-%d", os.Getpid(), i)
		w := lifecycle(b, ward, wardRoot, id)
		r := lifecycle(b, runc, runcRoot, id)
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

// BenchmarkRunTrue times `run` of /bin/true: container start to exit.
func BenchmarkRunTrue(b *testing.B) {
	for name, dir := range bundles(b) {
		b.Run(name, func(b *testing.B) {
			compare(b, func(b *testing.B, bin, root, id string) sample {
				return runOnce(b, bin, root, "run", "--bundle", dir, id)
			})
		})
	}
}

// BenchmarkCreateStartDelete times the three calls a manager makes.
func BenchmarkCreateStartDelete(b *testing.B) {
	for name, dir := range bundles(b) {
		b.Run(name, func(b *testing.B) {
			compare(b, func(b *testing.B, bin, root, id string) sample {
				c := runOnce(b, bin, root, "create", "--bundle", dir, id)
				s := runOnce(b, bin, root, "start", id)
				// /bin/true exits at once; delete waits for nothing more.
				for i := 0; i < 500; i++ {
					if out, _ := exec.Command(bin, "--root", root, "state", id).Output(); bytes.Contains(out, []byte(`"stopped"`)) {
						break
					}
					time.Sleep(time.Millisecond)
				}
				d := runOnce(b, bin, root, "delete", id)
				return sample{wall: c.wall + s.wall + d.wall, maxRSS: max(c.maxRSS, s.maxRSS, d.maxRSS)}
			})
		})
	}
}
