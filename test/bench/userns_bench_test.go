package bench

// --userns auto's costs: the time of `ward run --rm --userns auto` (range
// allocation, idmapped layers, the mapped snapshot) against the same run
// with --userns host, and the disk 20 such containers of one image take.

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/testutil"
)

// usernsReady restores /etc/subuid and /etc/subgid when the benchmark
// ends (ward adds its pool to them) and lets mapped roots pass from / to
// the benchmark's directory.
func usernsReady(b *testing.B, root string) {
	testutil.RestoreSubIDFiles(b)
	for d := filepath.Dir(root); d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o711); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUsernsRun times `ward run --rm --userns auto busybox true`
// against `ward run --rm --userns host busybox true`, alternating, one of
// each per iteration (target: at most 1.2x).
func BenchmarkUsernsRun(b *testing.B) {
	root, _, ward := wardRoot(b)
	usernsReady(b, root)
	bin := filepath.Join(wardBinaries(b), "ward")
	ward("run", "--rm", "--userns", "auto", "busybox", "true") // the pool exists before timing
	var autoT, hostT []time.Duration
	runs := []func(){
		func() {
			autoT = append(autoT, timed(b, bin, "--root", root, "run", "--rm", "--userns", "auto", "busybox", "true"))
		},
		func() {
			hostT = append(hostT, timed(b, bin, "--root", root, "run", "--rm", "--userns", "host", "busybox", "true"))
		},
	}
	for i := 0; b.Loop(); i++ {
		runs[i%2]()
		runs[(i+1)%2]()
	}
	b.StopTimer()
	a, h := median(autoT), median(hostT)
	b.ReportMetric(ms(a), "auto-ms")
	b.ReportMetric(ms(h), "host-ms")
	b.ReportMetric(float64(a)/float64(h), "auto/host")
}

// BenchmarkUsernsDisk starts b.N detached containers of one image with
// --userns auto (20 with CI's -benchtime 20x), all running at once, each
// writing 64 KiB, and measures what ward's root holds on disk (allocated
// blocks, not crossing the containers' overlay mounts): the image's
// unpacked layers, which must be there once, and each container's own
// directory and upper layer. Target: the layers once plus the writes.
func BenchmarkUsernsDisk(b *testing.B) {
	root, _, ward := wardRoot(b)
	usernsReady(b, root)
	var ids []string
	for b.Loop() {
		ids = append(ids, ward("run", "-d", "--userns", "auto", "busybox", "sh", "-c", "head -c 65536 /dev/zero > /written; sleep 600"))
	}
	b.StopTimer()
	time.Sleep(500 * time.Millisecond) // the last writes
	layers := diskUse(b, filepath.Join(root, "layers"))
	snaps := diskUse(b, filepath.Join(root, "snapshots"))
	dirs, _ := os.ReadDir(filepath.Join(root, "layers"))
	b.ReportMetric(float64(len(dirs)), "layer-dirs")
	b.ReportMetric(float64(layers)/1024, "layers-KiB")
	b.ReportMetric(float64(snaps)/1024/float64(len(ids)), "per-container-KiB")
	b.ReportMetric(float64(len(ids)), "containers")
	ward(append([]string{"rm", "-f"}, ids...)...)
}

// diskUse sums the blocks allocated under dir, hard links once, without
// crossing into other mounts.
func diskUse(b *testing.B, dir string) int64 {
	var st syscall.Stat_t
	if err := syscall.Lstat(dir, &st); err != nil {
		b.Fatal(err)
	}
	dev := st.Dev
	seen := map[uint64]bool{}
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a container's files may go while walking
		}
		var s syscall.Stat_t
		if syscall.Lstat(p, &s) != nil {
			return nil
		}
		if s.Dev != dev {
			return filepath.SkipDir // an overlay root: its files are counted in their layers
		}
		if !seen[s.Ino] {
			seen[s.Ino] = true
			total += s.Blocks * 512
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return total
}
