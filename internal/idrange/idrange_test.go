package idrange

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func files(t *testing.T, subuid, subgid string) Files {
	t.Helper()
	dir := t.TempDir()
	f := Files{SubUID: filepath.Join(dir, "subuid"), SubGID: filepath.Join(dir, "subgid")}
	for path, content := range map[string]string{f.SubUID: subuid, f.SubGID: subgid} {
		if content == "-" {
			continue // no file at all
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestParseSubID(t *testing.T) {
	es, err := ParseSubID("subuid", []byte("# comment\nalice:100000:65536\n\n1001:165536:65536\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{{"alice", 100000, 65536}, {"1001", 165536, 65536}}
	if fmt.Sprint(es) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", es, want)
	}
	for _, bad := range []string{"alice:1", "alice:x:10", "alice:10:0", "alice:10:99999999999"} {
		if _, err := ParseSubID("subuid", []byte(bad+"\n")); err == nil || !strings.Contains(err.Error(), "subuid line 1") {
			t.Errorf("%q: error %v, want one naming the line", bad, err)
		}
	}
}

func TestEnsurePool(t *testing.T) {
	for _, c := range []struct {
		name, subuid, subgid string
		wantUID, wantGID     uint64
		added                int
	}{
		{"no files", "-", "-", 1 << 20, 1 << 20, 2},
		{"empty files", "", "", 1 << 20, 1 << 20, 2},
		{"after other entries", "alice:100000:65536\nbob:5000000:100\n", "alice:100000:65536\n", 5046272, 5046272, 2},
		{"gid file reaches further", "alice:100000:65536\n", "carol:9000000:65536\n", 9109504, 9109504, 2},
		{"present in both", "ward:200000:131072\n", "ward:300000:131072\n", 200000, 300000, 0},
		{"present in one", "alice:100000:65536\nward:7000000:65536000\n", "alice:100000:65536\n", 7000000, 72548352, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := files(t, c.subuid, c.subgid)
			p, added, err := EnsurePool(f)
			if err != nil {
				t.Fatal(err)
			}
			if p.UID.Start != c.wantUID || p.GID.Start != c.wantGID || len(added) != c.added {
				t.Errorf("pool %+v, added %v; want uid start %d, gid start %d, %d files added", p, added, c.wantUID, c.wantGID, c.added)
			}
			// What was added is read back the same, overlaps nothing, and
			// is not added twice.
			again, added2, err := EnsurePool(f)
			if err != nil || again != p || len(added2) != 0 {
				t.Errorf("second EnsurePool: %+v, %v, %v", again, added2, err)
			}
			for _, path := range []string{f.SubUID, f.SubGID} {
				data, _ := os.ReadFile(path)
				es, err := ParseSubID(path, data)
				if err != nil {
					t.Fatal(err)
				}
				for i, a := range es {
					for _, b := range es[i+1:] {
						if a.Start < b.End() && b.Start < a.End() {
							t.Errorf("%s: %v overlaps %v", path, a, b)
						}
					}
				}
				if c.added == 2 {
					if w, _ := find(es); w.Count != PoolRanges*DefaultSize {
						t.Errorf("%s: ward's pool holds %d ids, want room for %d ranges of %d", path, w.Count, PoolRanges, DefaultSize)
					}
				}
			}
		})
	}
	t.Run("no room", func(t *testing.T) {
		f := files(t, "big:1000000:4293000000\n", "")
		if _, _, err := EnsurePool(f); err == nil || !strings.Contains(err.Error(), "no room") {
			t.Errorf("error %v, want no room", err)
		}
	})
	t.Run("keeps the mode", func(t *testing.T) {
		f := files(t, "alice:100000:65536", "")
		os.Chmod(f.SubUID, 0o640)
		if _, _, err := EnsurePool(f); err != nil {
			t.Fatal(err)
		}
		fi, _ := os.Stat(f.SubUID)
		data, _ := os.ReadFile(f.SubUID)
		if fi.Mode().Perm() != 0o640 || !strings.HasPrefix(string(data), "alice:100000:65536\nward:") {
			t.Errorf("mode %v, content %q", fi.Mode().Perm(), data)
		}
	})
}

func open(t *testing.T, f Files, db string) *Allocator {
	t.Helper()
	a, err := Open(db, f)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAllocate(t *testing.T) {
	// A pool of three default ranges, at different starts in each file.
	f := files(t, "ward:1000000:196608\n", "ward:2000000:196608\n")
	db := filepath.Join(t.TempDir(), "ranges.db")
	a := open(t, f, db)
	defer a.Close()
	r1, err := a.Allocate("c1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if r1 != (Range{UID: 1000000, GID: 2000000, Size: DefaultSize, Offset: 0}) {
		t.Errorf("first range %+v", r1)
	}
	if again, _ := a.Allocate("c1", 0); again != r1 {
		t.Errorf("a second Allocate for c1 gave %+v, want its range %+v", again, r1)
	}
	peek, err := a.Peek(0)
	if err != nil || peek.Offset != DefaultSize {
		t.Errorf("Peek: %+v, %v; want offset %d", peek, err, DefaultSize)
	}
	r2, _ := a.Allocate("c2", 0)
	r3, err := a.Allocate("c3", 1000) // a small one fits in the last slot
	if err != nil || r2.Offset != DefaultSize || r3.Offset != 2*DefaultSize || r3.Size != 1000 {
		t.Fatalf("r2 %+v, r3 %+v, %v", r2, r3, err)
	}
	if r4, err := a.Allocate("c4", 1000); err != nil || r4.Offset != 2*DefaultSize+1000 {
		t.Errorf("a second small range: %+v, %v", r4, err)
	}
	if _, err := a.Allocate("c5", 0); !errors.Is(err, ErrExhausted) || !strings.Contains(err.Error(), "c5") {
		t.Errorf("allocation beyond the pool: %v, want ErrExhausted naming c5", err)
	}
	if _, err := a.Peek(0); !errors.Is(err, ErrExhausted) {
		t.Errorf("Peek of a full pool: %v", err)
	}
	if err := a.Release("c2"); err != nil {
		t.Fatal(err)
	}
	if r5, err := a.Allocate("c5", 0); err != nil || r5.Offset != DefaultSize {
		t.Errorf("after releasing c2: %+v, %v; want c2's old slot", r5, err)
	}
	freed, err := a.Reclaim(func(id string) bool { return id != "c3" && id != "c4" })
	if err != nil || strings.Join(freed, ",") != "c3,c4" {
		t.Errorf("Reclaim freed %v, %v", freed, err)
	}
	list, _ := a.List()
	if len(list) != 2 || list["c1"] != r1 {
		t.Errorf("left after reclaim: %v", list)
	}
	if err := a.Release("nothing"); err != nil {
		t.Errorf("releasing what is not allocated: %v", err)
	}
}

// TestAllocateConcurrently opens the database 50 times at once, as 50
// ward processes would (bbolt's lock is per open file), and checks that
// no two ranges overlap.
func TestAllocateConcurrently(t *testing.T) {
	f := files(t, "", "")
	db := filepath.Join(t.TempDir(), "ranges.db")
	const n = 50
	ranges := make([]Range, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			a, err := Open(db, f)
			if err != nil {
				errs[i] = err
				return
			}
			defer a.Close()
			ranges[i], errs[i] = a.Allocate(fmt.Sprintf("c%02d", i), 0)
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		for j := range i {
			a, b := ranges[i], ranges[j]
			if a.UID < b.UID+b.Size && b.UID < a.UID+a.Size {
				t.Errorf("c%02d %+v overlaps c%02d %+v", i, a, j, b)
			}
		}
	}
	data, _ := os.ReadFile(f.SubUID)
	if strings.Count(string(data), "ward:") != 1 {
		t.Errorf("subuid after concurrent runs:\n%s", data)
	}
}

func TestFirstFit(t *testing.T) {
	for _, c := range []struct {
		used       []span
		size, pool uint64
		want       uint64
		ok         bool
	}{
		{nil, DefaultSize, DefaultSize, 0, true},
		{nil, DefaultSize + 1, DefaultSize, 0, false},
		{[]span{{0, 10}}, DefaultSize, 2 * DefaultSize, DefaultSize, true},
		{[]span{{0, 10}}, 10, 2 * DefaultSize, 10, true},
		{[]span{{0, DefaultSize}, {2 * DefaultSize, DefaultSize}}, DefaultSize, 3 * DefaultSize, DefaultSize, true},
		{[]span{{0, DefaultSize}, {DefaultSize, DefaultSize}}, 1, 2 * DefaultSize, 0, false},
	} {
		got, ok := firstFit(c.used, c.size, c.pool)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("firstFit(%v, %d, %d) = %d, %v; want %d, %v", c.used, c.size, c.pool, got, ok, c.want, c.ok)
		}
	}
}
