package observe

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"
)

// BenchmarkObservedSyscalls is the time observation adds to a workload:
// busybox dd making 200,000 system calls in a cgroup, with and without
// the observer attached to that cgroup, in turn; and the time Attach
// takes. Learning makes every system call on the host enter the
// program, so the ratio is also what other processes pay meanwhile.
func BenchmarkObservedSyscalls(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("skipped: needs root to load BPF programs")
	}
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		b.Skip("skipped: busybox is not installed")
	}
	if err := Check(); err != nil {
		b.Skipf("skipped: %v", err)
	}
	dir, id, remove, err := PrepareCgroup("/ward-observe-bench-" + strconv.Itoa(os.Getpid()))
	if err != nil {
		b.Fatal(err)
	}
	defer remove()
	script := "echo $$ > " + filepath.Join(dir, "cgroup.procs") + " && exec " + busybox + " dd if=/dev/zero of=/dev/null bs=1 count=100000"
	run := func() time.Duration {
		start := time.Now()
		if out, err := exec.Command(busybox, "sh", "-c", script).CombinedOutput(); err != nil {
			b.Fatalf("dd: %v: %s", err, out)
		}
		return time.Since(start)
	}
	var plain, observed, attach []time.Duration
	for i := 0; b.Loop(); i++ {
		for k := 0; k < 2; k++ {
			if (i+k)%2 == 0 {
				plain = append(plain, run())
				continue
			}
			start := time.Now()
			o, err := Attach(id)
			if err != nil {
				b.Fatal(err)
			}
			attach = append(attach, time.Since(start))
			observed = append(observed, run())
			o.Close()
		}
	}
	p, o := median(plain), median(observed)
	b.ReportMetric(float64(p.Microseconds())/1000, "plain-ms")
	b.ReportMetric(float64(o.Microseconds())/1000, "observed-ms")
	b.ReportMetric(float64(o)/float64(p), "observed/plain")
	b.ReportMetric(float64(median(attach).Microseconds())/1000, "attach-ms")
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
