package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkObserverRSS measures what --profile-mode log adds to a
// detached container: ward-observe, the process its monitor starts
// beside it to watch the calls outside its profile with eBPF (VmRSS,
// mean), the monitor's own VmRSS (which must not grow: it links no BPF
// code), and `ward run -d`'s time in log mode against enforce mode, the
// peer, one of each per iteration. Each iteration's containers run
// busybox sleep under a profile learned from the same command.
func BenchmarkObserverRSS(b *testing.B) {
	root, _, ward := wardRoot(b)
	profile := filepath.Join(filepath.Dir(root), "sleep.json")
	ward("learn", "-o", profile, "--user", "65534:65534", "busybox", "sleep", "0.1")
	var logIDs, enforceIDs []string
	var logT, enforceT []time.Duration
	for b.Loop() {
		start := time.Now()
		logIDs = append(logIDs, ward("run", "-d", "--profile", profile, "--profile-mode", "log", "--user", "65534:65534", "busybox", "sleep", "600"))
		logT = append(logT, time.Since(start))
		start = time.Now()
		enforceIDs = append(enforceIDs, ward("run", "-d", "--profile", profile, "--user", "65534:65534", "busybox", "sleep", "600"))
		enforceT = append(enforceT, time.Since(start))
	}
	b.StopTimer()
	time.Sleep(500 * time.Millisecond) // past start-up
	var obs, mon, monEnforce int
	for i, id := range logIDs {
		obs += observerRSS(b, id)
		mon += monitorRSS(b, id)
		monEnforce += monitorRSS(b, enforceIDs[i])
	}
	n := float64(len(logIDs))
	b.ReportMetric(float64(obs)/n, "observer-rss-KiB")
	b.ReportMetric(float64(mon)/n, "monitor-rss-KiB")
	b.ReportMetric(float64(monEnforce)/n, "enforce-monitor-rss-KiB")
	b.ReportMetric(ms(median(logT)), "run-d-log-ms")
	b.ReportMetric(ms(median(enforceT)), "run-d-enforce-ms")
	b.ReportMetric(ms(median(logT))/ms(median(enforceT)), "log/enforce")
	ward(append([]string{"rm", "-f"}, append(logIDs, enforceIDs...)...)...)
}

// observerRSS returns the VmRSS in KiB of the ward-observe process of
// container id.
func observerRSS(b *testing.B, id string) int {
	b.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		cmdline, err := os.ReadFile(p)
		args := bytes.Split(cmdline, []byte{0})
		if err != nil || len(args) == 0 || filepath.Base(string(args[0])) != "ward-observe" || !bytes.HasSuffix(cmdline, []byte("\x00"+id+"\x00")) {
			continue
		}
		status, err := os.ReadFile(filepath.Join(filepath.Dir(p), "status"))
		if err != nil {
			continue
		}
		if m := vmRSS.FindSubmatch(status); m != nil {
			kb, _ := strconv.Atoi(string(m[1]))
			return kb
		}
	}
	b.Fatalf("no ward-observe process for container %s", strings.TrimSpace(id))
	return 0
}
