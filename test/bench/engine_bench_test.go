package bench

// The engine's benchmarks: `ward run --rm busybox true` against
// `ward-runtime run` of the very bundle ward makes and against `docker run
// --rm` of the same image, the memory of the monitor of a detached
// container, and `ward import` of a Debian minbase rootfs against `docker
// import` of the same tarball. Each measures its peers in the same run,
// alternating, and reports medians and ratios.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/scan/scantest"
	"github.com/wardproject/ward/internal/testutil"
	"github.com/wardproject/ward/internal/testutil/testdaemon"
)

// The ward binaries are built once, side by side as they are installed,
// into a directory TestMain removes.
// wardBins are ward and its companions, built once for the benchmarks.
var wardBins = testutil.NewBinaries("ward", "ward-runtime", "ward-monitor", "ward-observe")

func TestMain(m *testing.M) {
	// The peers run with no network (docker run --network none); and no
	// benchmark here touches the machine's network: test/network measures
	// bridges inside namespaces of its own.
	os.Setenv("WARD_DEFAULT_NETWORK", "none")
	code := m.Run()
	wardBins.Remove()
	os.Exit(code)
}

func wardBinaries(b *testing.B) string { return wardBins.Dir(b) }

// wardRoot is a ward root in a temporary directory holding the busybox
// image (Debian's busybox-static, imported from a rootfs tarball, which
// it also returns), and a function running ward on it.
func wardRoot(b *testing.B) (root, tarball string, ward func(args ...string) string) {
	b.Helper()
	testutil.RequireRoot(b)
	testutil.RequireStaticBusybox(b)
	bin := filepath.Join(wardBinaries(b), "ward")
	dir := b.TempDir()
	rootfs := filepath.Join(dir, "rootfs")
	testutil.BusyboxRootfs(b, rootfs)
	tarball = filepath.Join(dir, "busybox.tar")
	if out, err := exec.Command("tar", "-C", rootfs, "--numeric-owner", "-cf", tarball, ".").CombinedOutput(); err != nil {
		b.Fatalf("tar: %v: %s", err, out)
	}
	root = filepath.Join(dir, "root")
	ward = func(args ...string) string {
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
	ward("import", tarball, "busybox")
	b.Cleanup(func() {
		for _, id := range strings.Fields(ward("ps", "-aq")) {
			exec.Command(bin, "--root", root, "rm", "-f", id).Run()
		}
	})
	return root, tarball, ward
}

// timed runs a command to its end and returns its wall time.
func timed(b *testing.B, name string, args ...string) time.Duration {
	b.Helper()
	cmd := exec.Command(name, args...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	d := time.Since(start)
	if err != nil {
		b.Fatalf("%s %v: %v: %s", name, args, err, out)
	}
	return d
}

// timedCPU is timed, also returning the CPU time (user and system) of the
// command and of the descendants it waited for: ward reaps the container's
// init and the runtime processes, a runtime its init. On a machine shared
// with other work the CPU times vary less than wall times, which wait for
// the scheduler.
func timedCPU(b *testing.B, name string, args ...string) (wall, cpu time.Duration) {
	b.Helper()
	cmd := exec.Command(name, args...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall = time.Since(start)
	if err != nil {
		b.Fatalf("%s %v: %v: %s", name, args, err, out)
	}
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// docker is a dockerd of the benchmark's own (its data root, exec root
// and socket in a work directory; no iptables, no bridge), and its client.
type docker struct {
	client, socket string
}

// startDocker starts dockerd, or returns nil and says why when docker is
// not installed.
func startDocker(b *testing.B) *docker {
	b.Helper()
	if _, err := exec.LookPath("dockerd"); err != nil {
		b.Log("docker: dockerd is not installed (apt-get install docker.io): no docker figures")
		return nil
	}
	client := testdaemon.DockerClient()
	if client == "" {
		b.Log("docker: the docker client is not installed (apt-get install docker.io): no docker figures")
		return nil
	}
	work := testdaemon.WorkDir(b, "wbd-")
	cgroupParent := fmt.Sprintf("ward-bench-%d", os.Getpid())
	testdaemon.CleanupCgroups(b, cgroupParent)
	socket := testdaemon.StartDockerd(b, work, "--cgroup-parent", cgroupParent)
	return &docker{client: client, socket: socket}
}

func (d *docker) args(args ...string) []string {
	return append([]string{"--host", "unix://" + d.socket}, args...)
}

func (d *docker) must(b *testing.B, args ...string) string {
	b.Helper()
	out, err := exec.Command(d.client, d.args(args...)...).CombinedOutput()
	if err != nil {
		b.Fatalf("docker %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// BenchmarkWardRun times `ward run --rm --network none busybox true`
// (record, snapshot, bundle, the runtime's run, wait, delete, removal)
// against its peers in the same run, one of each per iteration:
// `ward-runtime run` of the very bundle ward makes for it (same spec:
// namespaces, seccomp, mounts) over a root already mounted, the part of
// ward run that is the runtime's; and `docker run --rm` of the same image
// (when docker is installed). Besides wall times it reports the CPU time
// of ward and of the runtime with their descendants (cpu-ms), which a
// busy machine disturbs less.
func BenchmarkWardRun(b *testing.B) {
	root, tarball, ward := wardRoot(b)
	bins := wardBinaries(b)
	bin, runtime := filepath.Join(bins, "ward"), filepath.Join(bins, "ward-runtime")
	// The prepared bundle: a container ward made and ran once, kept.
	ward("run", "--name", "bundle", "busybox", "true")
	id, err := inspectID(bin, root, "bundle")
	if err != nil {
		b.Fatal(err)
	}
	bundle := filepath.Join(root, "containers", id, "bundle")
	state := filepath.Join(b.TempDir(), "state")
	d := startDocker(b)
	if d != nil {
		d.must(b, "import", tarball, "busybox-bench")
	}
	var wardT, rtT, dockerT, wardCPU, rtCPU []time.Duration
	runs := []func(i int){
		func(int) {
			w, c := timedCPU(b, bin, "--root", root, "run", "--rm", "--network", "none", "busybox", "true")
			wardT, wardCPU = append(wardT, w), append(wardCPU, c)
		},
		func(i int) {
			w, c := timedCPU(b, runtime, "--root", state, "run", "--bundle", bundle, "bench"+strconv.Itoa(i))
			rtT, rtCPU = append(rtT, w), append(rtCPU, c)
		},
	}
	if d != nil {
		runs = append(runs, func(int) {
			dockerT = append(dockerT, timed(b, d.client, d.args("run", "--rm", "--network", "none", "busybox-bench", "true")...))
			// dockerd and containerd go on working after the client
			// returns: let that end before the next one is timed.
			b.StopTimer()
			time.Sleep(200 * time.Millisecond)
			b.StartTimer()
		})
	}
	for i := 0; b.Loop(); i++ {
		for k := range runs { // each in turn goes first
			runs[(i+k)%len(runs)](i)
		}
	}
	b.StopTimer()
	w, r := median(wardT), median(rtT)
	b.ReportMetric(ms(w), "ward-ms")
	b.ReportMetric(ms(r), "runtime-ms")
	b.ReportMetric(float64(w)/float64(r), "ward/runtime")
	wc, rc := median(wardCPU), median(rtCPU)
	b.ReportMetric(ms(wc), "ward-cpu-ms")
	b.ReportMetric(ms(rc), "runtime-cpu-ms")
	b.ReportMetric(float64(wc)/float64(rc), "ward/runtime-cpu")
	if d != nil {
		dk := median(dockerT)
		b.ReportMetric(ms(dk), "docker-ms")
		b.ReportMetric(float64(w)/float64(dk), "ward/docker")
	}
}

// inspectID reads a container's ID from `ward inspect`'s JSON.
func inspectID(bin, root, name string) (string, error) {
	out, err := exec.Command(bin, "--root", root, "inspect", name).Output()
	if err != nil {
		return "", fmt.Errorf("ward inspect %s: %w", name, err)
	}
	m := regexp.MustCompile(`"Id":\s*"([0-9a-f]{64})"`).FindSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("ward inspect %s: no Id in %s", name, out)
	}
	return string(m[1]), nil
}

// BenchmarkMonitorRSS starts b.N detached containers, all running at
// once, and reports the resident memory of their monitors (VmRSS, the
// mean and the largest; each counts the pages it shares with the others)
// and the time of `ward run -d`.
func BenchmarkMonitorRSS(b *testing.B) {
	_, _, ward := wardRoot(b)
	var ids []string
	var runT []time.Duration
	for b.Loop() {
		start := time.Now()
		ids = append(ids, ward("run", "-d", "busybox", "sleep", "600"))
		runT = append(runT, time.Since(start))
	}
	b.StopTimer()
	time.Sleep(500 * time.Millisecond) // past start-up, as a monitor spends its life
	var total, most int
	for _, id := range ids {
		kb := monitorRSS(b, id)
		total += kb
		most = max(most, kb)
	}
	b.ReportMetric(float64(total)/float64(len(ids)), "monitor-rss-KiB")
	b.ReportMetric(float64(most), "monitor-max-rss-KiB")
	b.ReportMetric(ms(median(runT)), "run-d-ms")
	ward(append([]string{"rm", "-f"}, ids...)...)
}

var vmRSS = regexp.MustCompile(`VmRSS:\s+(\d+) kB`)

// monitorRSS finds the monitor of container id (the process whose last
// argument is the ID) and returns its VmRSS in KiB.
func monitorRSS(b *testing.B, id string) int {
	b.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		cmdline, err := os.ReadFile(p)
		if err != nil || !bytes.HasSuffix(cmdline, []byte("\x00"+id+"\x00")) || !bytes.Contains(cmdline, []byte("monitor")) {
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
	b.Fatalf("no monitor process for container %s", id)
	return 0
}

// BenchmarkWardImport times `ward import` of a Debian 12 minbase rootfs
// tarball (debootstrap --variant=minbase bookworm, built once and cached
// by scantest) into an empty root against `docker import` of the same
// tarball, one of each per iteration, and reports the tarball's size.
func BenchmarkWardImport(b *testing.B) {
	testutil.RequireRoot(b)
	minbase := scantest.MinbaseRootfs(b)
	bin := filepath.Join(wardBinaries(b), "ward")
	dir := b.TempDir()
	tarball := filepath.Join(dir, "minbase.tar")
	if out, err := exec.Command("tar", "-C", minbase, "--numeric-owner", "--xattrs", "--xattrs-include=*", "-cf", tarball, ".").CombinedOutput(); err != nil {
		b.Fatalf("tar: %v: %s", err, out)
	}
	fi, err := os.Stat(tarball)
	if err != nil {
		b.Fatal(err)
	}
	d := startDocker(b)
	var wardT, dockerT []time.Duration
	for i := 0; b.Loop(); i++ {
		root := filepath.Join(dir, "root"+strconv.Itoa(i))
		wardT = append(wardT, timed(b, bin, "--root", root, "import", tarball, "minbase"))
		b.StopTimer()
		os.RemoveAll(root)
		b.StartTimer()
		if d != nil {
			ref := "minbase:" + strconv.Itoa(i)
			dockerT = append(dockerT, timed(b, d.client, d.args("import", tarball, ref)...))
			b.StopTimer()
			d.must(b, "rmi", ref)
			b.StartTimer()
		}
	}
	b.StopTimer()
	w := median(wardT)
	b.ReportMetric(float64(fi.Size())/(1<<20), "tar-MiB")
	b.ReportMetric(ms(w), "ward-ms")
	if d != nil {
		dk := median(dockerT)
		b.ReportMetric(ms(dk), "docker-ms")
		b.ReportMetric(float64(w)/float64(dk), "ward/docker")
	}
}
