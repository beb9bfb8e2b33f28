package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkMonitorRSSHealth is BenchmarkMonitorRSS with a health check
// every second: the monitor starts `ward container-health` each second,
// and must still stay under 3 MiB.
func BenchmarkMonitorRSSHealth(b *testing.B) {
	_, _, ward := wardRoot(b)
	var ids []string
	for b.Loop() {
		ids = append(ids, ward("run", "-d", "--health-cmd", "true", "--health-interval", "1s", "busybox", "sleep", "600"))
	}
	b.StopTimer()
	time.Sleep(3500 * time.Millisecond) // three checks each
	var total, most int
	for _, id := range ids {
		kb := monitorRSS(b, id)
		total += kb
		most = max(most, kb)
	}
	if status := ward("inspect", ids[0]); !strings.Contains(status, `"Status": "healthy"`) {
		b.Fatalf("container %s is not healthy after three checks: %s", ids[0], status)
	}
	b.ReportMetric(float64(total)/float64(len(ids)), "monitor-rss-KiB")
	b.ReportMetric(float64(most), "monitor-max-rss-KiB")
	ward(append([]string{"rm", "-f"}, ids...)...)
}

// logGiB is the size of the log BenchmarkLogsTail reads the end of.
const logGiB = 1 << 30

// writeJSONLog writes about size bytes of json-file entries at path,
// numbered lines alternating stdout and stderr, and returns the number.
func writeJSONLog(b *testing.B, path string, size int64) int {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	stamp := time.Now().UTC()
	var written int64
	n := 0
	for ; written < size; n++ {
		stream := "stdout"
		if n%2 == 1 {
			stream = "stderr"
		}
		k, _ := fmt.Fprintf(w, `{"log":"line %d of a log of a gigabyte, padded to look like a service's output\n","stream":"%s","time":"%s"}`+"\n",
			n, stream, stamp.Add(time.Duration(n)*time.Microsecond).Format(time.RFC3339Nano))
		written += int64(k)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkLogsTail times `ward logs --tail 100` of a container whose
// log is 1 GiB against `docker logs --tail 100` of a container whose
// json-file log is the same file, one of each per iteration.
func BenchmarkLogsTail(b *testing.B) {
	root, tarball, ward := wardRoot(b)
	bin := filepath.Join(wardBinaries(b), "ward")
	id := ward("create", "--name", "big", "busybox", "true")
	logPath := filepath.Join(root, "containers", id, "container.log")
	lines := writeJSONLog(b, logPath, logGiB)
	last := lines - 1
	if last%2 == 1 {
		last-- // odd lines are stderr's
	}
	want := fmt.Sprintf("line %d of", last) // the last stdout line
	d := startDocker(b)
	var dockerLog, dockerID string
	if d != nil {
		d.must(b, "import", tarball, "busybox-bench")
		// Run once, so Docker has made its log file (and knows its path).
		dockerID = d.must(b, "run", "-d", "--network", "none", "busybox-bench", "true")
		d.must(b, "wait", dockerID)
		dockerLog = d.must(b, "inspect", "--format", "{{.LogPath}}", dockerID)
		// The same content.
		if out, err := exec.Command("cp", "--reflink=auto", logPath, dockerLog).CombinedOutput(); err != nil {
			b.Fatalf("cp: %v: %s", err, out)
		}
		b.Cleanup(func() { d.must(b, "rm", dockerID) })
	}
	tail := func(name string, args ...string) time.Duration {
		start := time.Now()
		out, err := exec.Command(name, args...).Output()
		took := time.Since(start)
		if err != nil || !bytes.Contains(out, []byte(want)) || bytes.Count(out, []byte("\n")) != 50 {
			b.Fatalf("%s %v: %v; %d stdout lines, want the 50 of stdout among the last 100", name, args, err, bytes.Count(out, []byte("\n")))
		}
		return took
	}
	var wardT, dockerT []time.Duration
	for i := 0; b.Loop(); i++ {
		runs := []func(){func() { wardT = append(wardT, tail(bin, "--root", root, "logs", "--tail", "100", "big")) }}
		if d != nil {
			runs = append(runs, func() { dockerT = append(dockerT, tail(d.client, d.args("logs", "--tail", "100", dockerID)...)) })
		}
		for k := range runs {
			runs[(i+k)%len(runs)]()
		}
	}
	b.StopTimer()
	b.ReportMetric(ms(median(wardT)), "ward-ms")
	if d != nil {
		b.ReportMetric(ms(median(dockerT)), "docker-ms")
		b.ReportMetric(float64(median(wardT))/float64(median(dockerT)), "ward/docker")
		os.Remove(dockerLog)
	}
	os.Remove(logPath)
}

// densityCount is how many idle containers BenchmarkDensity starts on
// each side; WARD_BENCH_DENSITY overrides it.
func densityCount() int {
	if n, err := strconv.Atoi(os.Getenv("WARD_BENCH_DENSITY")); err == nil && n > 0 {
		return n
	}
	return 300
}

var pssLine = regexp.MustCompile(`(?m)^Pss:\s+(\d+) kB`)

// pssOf sums the proportional set size (each shared page split among
// the processes sharing it) of the processes whose command line matches.
func pssOf(match func(cmdline []byte) bool) (kb, procs int) {
	paths, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range paths {
		cmdline, err := os.ReadFile(p)
		if err != nil || !match(cmdline) {
			continue
		}
		rollup, err := os.ReadFile(filepath.Join(filepath.Dir(p), "smaps_rollup"))
		if err != nil {
			continue
		}
		if m := pssLine.FindSubmatch(rollup); m != nil {
			n, _ := strconv.Atoi(string(m[1]))
			kb += n
			procs++
		}
	}
	return kb, procs
}

// BenchmarkDensity starts densityCount idle detached containers with
// --network none under ward and under Docker, in the same run, and
// reports the host memory each keeps per container besides the
// container's own processes: ward's monitor (ward keeps nothing else per
// container), and Docker's containerd-shim-runc-v2 (dockerd and
// containerd are shared, not counted). PSS, so shared pages are split.
func BenchmarkDensity(b *testing.B) {
	_, tarball, ward := wardRoot(b)
	n := densityCount()
	d := startDocker(b)
	if d != nil {
		d.must(b, "import", tarball, "busybox-bench")
	}
	// Measured once, whatever -benchtime says: 300 containers a side is
	// the figure, and CI's -benchtime 20x must not make it 6000.
	measured := false
	for b.Loop() {
		if measured {
			continue
		}
		measured = true
		var wardIDs, dockerIDs []string
		var mu sync.Mutex
		var wg sync.WaitGroup
		wg.Go(func() {
			for range n {
				id := ward("run", "-d", "--network", "none", "busybox", "sleep", "3600")
				mu.Lock()
				wardIDs = append(wardIDs, id)
				mu.Unlock()
			}
		})
		if d != nil {
			wg.Go(func() {
				for range n {
					id := d.must(b, "run", "-d", "--network", "none", "busybox-bench", "sleep", "3600")
					mu.Lock()
					dockerIDs = append(dockerIDs, id)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		time.Sleep(2 * time.Second) // past start-up
		mine := map[string]bool{}
		for _, id := range wardIDs {
			mine[id] = true
		}
		wardKB, monitors := pssOf(func(c []byte) bool {
			args := bytes.Split(bytes.TrimSuffix(c, []byte{0}), []byte{0})
			return len(args) > 1 && bytes.HasSuffix(args[0], []byte("ward-monitor")) && mine[string(args[len(args)-1])]
		})
		if monitors != n {
			b.Fatalf("%d ward monitors for %d containers", monitors, n)
		}
		b.ReportMetric(float64(wardKB)/float64(n), "ward-KiB/container")
		if d != nil {
			dmine := map[string]bool{}
			for _, id := range dockerIDs {
				dmine[id] = true
			}
			shimKB, shims := pssOf(func(c []byte) bool {
				if !bytes.Contains(c, []byte("containerd-shim")) {
					return false
				}
				for _, f := range bytes.Split(c, []byte{0}) {
					if dmine[string(f)] {
						return true
					}
				}
				return false
			})
			b.ReportMetric(float64(shimKB)/float64(max(shims, 1)), "docker-shim-KiB/container")
			b.ReportMetric(float64(shims), "docker-shims")
			if shims > 0 {
				b.ReportMetric((float64(wardKB)/float64(n))/(float64(shimKB)/float64(shims)), "ward/docker")
			}
			d.must(b, append([]string{"rm", "-f"}, dockerIDs...)...)
		}
		ward(append([]string{"rm", "-f"}, wardIDs...)...)
	}
}
