// Package learnbench measures `ward learn` (issue 14): apart from
// test/bench because one iteration takes about 10 s (.ci/run runs it 5
// times).
package learnbench

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/testutil"
)

// BenchmarkLearnExercise is issue 14's cost of learning and of running
// under a learned profile, in one run: a busybox httpd (as user 1000, on
// loopback) serves 200 requests of the host's busybox wget, timed by
// the exercise itself, (1) while `ward learn` observes it, (2) in the
// replays `ward learn` makes under the learned profile, (3) under
// `ward run -d` with Docker's default profile. Learning observes every
// system call of the host, the client's too, as it would in use.
func BenchmarkLearnExercise(b *testing.B) {
	testutil.RequireRoot(b)
	testutil.RequireStaticBusybox(b)
	bin := filepath.Join(wardBins.Dir(b), "ward")
	dir := b.TempDir()
	root := filepath.Join(dir, "root")
	ward := func(args ...string) string {
		b.Helper()
		out, err := exec.Command(bin, append([]string{"--root", root}, args...)...).Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			b.Fatalf("ward %v: %v: %s", args, err, stderr)
		}
		return strings.TrimSpace(string(out))
	}
	b.Cleanup(func() {
		for _, id := range strings.Fields(ward("ps", "-aq")) {
			exec.Command(bin, "--root", root, "rm", "-f", id).Run()
		}
	})
	rootfs := filepath.Join(dir, "httpd")
	testutil.BusyboxRootfs(b, rootfs)
	if err := os.Symlink("busybox", filepath.Join(rootfs, "bin", "httpd")); err != nil {
		b.Fatal(err)
	}
	os.MkdirAll(filepath.Join(rootfs, "www"), 0o755)
	if err := os.WriteFile(filepath.Join(rootfs, "www", "index.html"), []byte("hello\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	tarball := filepath.Join(dir, "httpd.tar")
	if out, err := exec.Command("tar", "-C", rootfs, "--numeric-owner", "-cf", tarball, ".").CombinedOutput(); err != nil {
		b.Fatalf("tar: %v: %s", err, out)
	}
	ward("import", tarball, "httpd")

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	times := filepath.Join(dir, "times")
	url := "http://127.0.0.1:" + port + "/index.html"
	exercise := fmt.Sprintf(`for i in $(seq 100); do timeout 5 %[1]s wget -q -O /dev/null %[2]s 2>/dev/null && break; sleep 0.05; done
s=$(date +%%s%%N); for i in $(seq 200); do timeout 5 %[1]s wget -q -O /dev/null %[2]s || exit 1; done; echo $(( $(date +%%s%%N) - s )) >> %[3]s`,
		testutil.BusyboxPath, url, times)
	runArgs := []string{"--network", "host", "--user", "1000:1000", "httpd", "httpd", "-f", "-p", "127.0.0.1:" + port, "-h", "/www"}
	profile := filepath.Join(dir, "p.json")
	readTimes := func() []time.Duration {
		data, _ := os.ReadFile(times)
		os.Remove(times)
		var out []time.Duration
		for _, f := range strings.Fields(string(data)) {
			n, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				b.Fatalf("exercise time %q: %v", f, err)
			}
			out = append(out, time.Duration(n))
		}
		return out
	}
	var observed, profiled, dflt []time.Duration
	learn := func() {
		out, err := exec.Command(bin, append([]string{"--root", root, "learn", "-o", profile, "--exercise", exercise}, runArgs...)...).CombinedOutput()
		if err != nil {
			if strings.Contains(string(out), "learning needs") {
				b.Skipf("skipped: %s", out)
			}
			b.Fatalf("ward learn: %v: %s", err, out)
		}
		t := readTimes()
		if len(t) < 2 {
			b.Fatalf("ward learn timed %d exercises, want the observed one and at least one replay", len(t))
		}
		observed = append(observed, t[0])
		profiled = append(profiled, t[1:]...)
	}
	plain := func() {
		id := ward(append([]string{"run", "-d"}, runArgs...)...)
		out, err := exec.Command("sh", "-c", exercise).CombinedOutput()
		ward("rm", "-f", id)
		if err != nil {
			b.Fatalf("exercise under Docker's default profile: %v: %s", err, out)
		}
		dflt = append(dflt, readTimes()...)
	}
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			learn()
			plain()
		} else {
			plain()
			learn()
		}
	}
	b.StopTimer()
	o, p, d := median(observed), median(profiled), median(dflt)
	b.ReportMetric(ms(o), "observed-ms")
	b.ReportMetric(ms(p), "profile-ms")
	b.ReportMetric(ms(d), "default-ms")
	b.ReportMetric(float64(o)/float64(d), "observed/default")
	b.ReportMetric(float64(p)/float64(d), "profile/default")
}

var wardBins = testutil.NewBinaries("ward", "ward-runtime", "ward-monitor")

func TestMain(m *testing.M) {
	os.Setenv("WARD_DEFAULT_NETWORK", "none") // --network host is asked for explicitly
	code := m.Run()
	wardBins.Remove()
	os.Exit(code)
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
