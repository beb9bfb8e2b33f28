package stats

import (
	"os"
	"path/filepath"
	"testing"
)

func write(t *testing.T, name, s string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParsers(t *testing.T) {
	dev := write(t, "dev", `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    5000      10    0    0    0     0          0         0     5000      10    0    0    0     0       0          0
  eth0:    1200       3    0    0    0     0          0         0      800       2    0    0    0     0       0          0
`)
	if rx, tx := netDev(dev); rx != 1200 || tx != 800 {
		t.Errorf("net/dev: %d %d", rx, tx)
	}
	blk := write(t, "blkio", "8:0 Read 4096\n8:0 Write 512\n8:0 Sync 0\n8:16 Read 4\nTotal 4612\n")
	if r, w := blkioV1(blk); r != 4100 || w != 512 {
		t.Errorf("blkio: %d %d", r, w)
	}
	io := write(t, "io.stat", "8:0 rbytes=100 wbytes=20 rios=1 wios=1\n8:16 rbytes=1 wbytes=2\n")
	if r, w := ioStat(io); r != 101 || w != 22 {
		t.Errorf("io.stat: %d %d", r, w)
	}
	if got := noCache(1000, 300); got != 700 {
		t.Errorf("noCache: %d", got)
	}
	prev := Sample{CPUNanos: 1e9, SystemNanos: 100e9}
	cur := Sample{CPUNanos: 1.5e9, SystemNanos: 102e9, OnlineCPUs: 2}
	if got := CPUPercent(prev, cur); got != 50 {
		t.Errorf("cpu: %v", got)
	}
}

func TestReadSelf(t *testing.T) {
	s, err := Read(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s.SystemNanos == 0 || s.MemLimit == 0 || s.OnlineCPUs == 0 {
		t.Errorf("a reading of this process: %+v", s)
	}
}
