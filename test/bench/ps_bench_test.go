package bench

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkPs200 times `ward ps -a` and `ward ps -a --filter` over 200
// created containers against `docker ps -a` with the same filters over
// 200 of its own, one of each per iteration. ward reads one record file
// per container; dockerd answers from memory, through its socket.
func BenchmarkPs200(b *testing.B) {
	const n = 200
	root, tarball, _ := wardRoot(b)
	bin := filepath.Join(wardBinaries(b), "ward")
	d := startDocker(b)
	if d != nil {
		d.must(b, "import", tarball, "busybox")
	}
	// Created by four workers (ward's records lock serializes the adds);
	// failures are reported from the benchmark's goroutine.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	work := make(chan int)
	for w := 0; w < 4; w++ {
		wg.Go(func() {
			for i := range work {
				name := "c" + strconv.Itoa(i)
				cmds := [][]string{{bin, "--root", root, "create", "--name", name, "busybox", "true"}}
				if d != nil {
					cmds = append(cmds, append([]string{d.client}, d.args("create", "--network", "none", "--name", name, "busybox", "true")...))
				}
				for _, c := range cmds {
					if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
						mu.Lock()
						failures = append(failures, fmt.Sprintf("%v: %v: %s", c, err, out))
						mu.Unlock()
					}
				}
			}
		})
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	if len(failures) > 0 {
		b.Fatalf("%d creates failed, the first: %s", len(failures), failures[0])
	}
	filters := []string{"--filter", "name=c1", "--filter", "status=created"}
	var wardAll, wardFiltered, dockerAll, dockerFiltered []time.Duration
	b.ResetTimer()
	for b.Loop() {
		wardAll = append(wardAll, timed(b, bin, "--root", root, "ps", "-a"))
		wardFiltered = append(wardFiltered, timed(b, bin, append([]string{"--root", root, "ps", "-a"}, filters...)...))
		if d != nil {
			dockerAll = append(dockerAll, timed(b, d.client, d.args("ps", "-a")...))
			dockerFiltered = append(dockerFiltered, timed(b, d.client, d.args(append([]string{"ps", "-a"}, filters...)...)...))
		}
	}
	b.StopTimer()
	b.ReportMetric(ms(median(wardAll)), "ward-ps-ms")
	b.ReportMetric(ms(median(wardFiltered)), "ward-filter-ms")
	if d != nil {
		b.ReportMetric(ms(median(dockerAll)), "docker-ps-ms")
		b.ReportMetric(ms(median(dockerFiltered)), "docker-filter-ms")
		b.ReportMetric(float64(median(wardAll))/float64(median(dockerAll)), "ward/docker")
		b.ReportMetric(float64(median(wardFiltered))/float64(median(dockerFiltered)), "filter-ward/docker")
	}
}
