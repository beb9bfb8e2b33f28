package observe

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchConnects is how many TCP connections connectsWorkload makes.
const benchConnects = 2000

// connectsWorkload moves into the cgroup, connects to addr
// benchConnects times (each closed at once) and prints the time the
// loop took, in nanoseconds.
func connectsWorkload(cg, addr string) error {
	if err := os.WriteFile(filepath.Join(cg, "cgroup.procs"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return err
	}
	start := time.Now()
	for range benchConnects {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return err
		}
		c.Close()
	}
	fmt.Println(time.Since(start).Nanoseconds())
	return nil
}

// BenchmarkObservedConnects is the time the socket programs add to a
// workload that does nothing but open connections (the worst case for
// them: each connect enters the connect program and its socket's
// creation the sock_create one): 2000 TCP connects to a loopback
// listener from a cgroup, with and without WatchNetwork attached to
// it, in turn; and the time WatchNetwork takes to load and attach its
// eight programs. Unlike sys_enter, these run for the cgroup's sockets
// only: the rest of the host pays nothing.
func BenchmarkObservedConnects(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("skipped: needs root to load BPF programs")
	}
	dir, _, remove, err := PrepareCgroup("/ward-observe-netbench-" + strconv.Itoa(os.Getpid()))
	if err != nil {
		b.Fatal(err)
	}
	defer remove()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	run := func() time.Duration {
		cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$", l.Addr().String(), "connects")
		cmd.Env = append(os.Environ(), netWorkloadEnv+"="+dir)
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("connects: %v", err)
		}
		ns, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
		if err != nil {
			b.Fatalf("connects printed %q", out)
		}
		return time.Duration(ns)
	}
	var plain, observed, attach []time.Duration
	for i := 0; b.Loop(); i++ {
		for k := 0; k < 2; k++ {
			if (i+k)%2 == 0 {
				plain = append(plain, run())
				continue
			}
			start := time.Now()
			w, err := WatchNetwork(dir)
			if err != nil {
				b.Fatal(err)
			}
			attach = append(attach, time.Since(start))
			observed = append(observed, run())
			if d, err := w.Destinations(); err != nil || len(d) != 1 {
				b.Fatalf("destinations %v, %v: want the listener", d, err)
			}
			w.Close()
		}
	}
	p, o := median(plain), median(observed)
	b.ReportMetric(float64(p.Microseconds())/1000, "plain-ms")
	b.ReportMetric(float64(o.Microseconds())/1000, "observed-ms")
	b.ReportMetric(float64(o)/float64(p), "observed/plain")
	b.ReportMetric(float64(median(attach).Microseconds())/1000, "attach-ms")
}
