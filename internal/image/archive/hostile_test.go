package archive

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestApplyNeverTouchesHostTimes is issue 12's first case: a directory
// met at a/b, then a replaced by a symlink to a host directory. The times
// of a/b, set at the end, must not land on the host's b, and a host path
// that does not exist must not make the layer fail (that would let an image
// probe the host's paths).
func TestApplyNeverTouchesHostTimes(t *testing.T) {
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	kept := time.Date(2010, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, tc := range []struct {
		name string
		link func(s sandbox) string
	}{
		{"absolute symlink", func(s sandbox) string { return s.outside }},
		{"relative symlink with ..", func(sandbox) string { return "../outside" }},
		{"deep relative symlink", func(sandbox) string { return "../../../../../../../../../outside" }},
		{"absolute symlink to a missing host path", func(sandbox) string { return "/nonexistent-ward-probe/x" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSandbox(t)
			hostB := filepath.Join(s.outside, "b")
			if err := os.Mkdir(hostB, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(hostB, kept, kept); err != nil {
				t.Fatal(err)
			}
			before := treeState(t, s.outside)
			b := dir("a/b/")
			b.mtime, b.mode = old, 0o700
			b.xattrs = map[string]string{"user.ward-test": "x"}
			entries := []entry{dir("a/"), b, symlink("a", tc.link(s))}
			if _, err := Apply(bytes.NewReader(buildTar(t, entries, 0)), s.layer, Options{}); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			fi, err := os.Stat(hostB)
			if err != nil {
				t.Fatal(err)
			}
			if !fi.ModTime().Equal(kept) {
				t.Errorf("host directory's mtime changed to %v", fi.ModTime())
			}
			if fi.Mode().Perm() != 0o755 {
				t.Errorf("host directory's mode changed to %v", fi.Mode())
			}
			if _, err := unix.Lgetxattr(hostB, "user.ward-test", make([]byte, 8)); err == nil {
				t.Errorf("xattr set on the host directory")
			}
			if after := treeState(t, s.outside); after != before {
				t.Errorf("outside changed:\nbefore %s\nafter  %s", before, after)
			}
			if l, err := os.Readlink(filepath.Join(s.layer, "a")); err != nil || l != tc.link(s) {
				t.Errorf("a = %q, %v; want the symlink", l, err)
			}
		})
	}
}

// TestApplyDirTimesSkipReplaced: a directory removed and made again at the
// same path gets only its own times, not the first one's.
func TestApplyDirTimesSkipReplaced(t *testing.T) {
	first, second := dir("d"), dir("d")
	first.mtime = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	second.mtime = time.Date(2002, 2, 2, 0, 0, 0, 0, time.UTC)
	entries := []entry{first, file("d", "now a file"), second}
	s := newSandbox(t)
	if _, err := Apply(bytes.NewReader(buildTar(t, entries, 0)), s.layer, Options{}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(s.layer, "d"))
	if err != nil {
		t.Fatal(err)
	}
	if !fi.IsDir() || !fi.ModTime().Equal(second.mtime) {
		t.Errorf("d: dir %v mtime %v, want a directory with %v", fi.IsDir(), fi.ModTime(), second.mtime)
	}
}

// TestApplyMetadataThroughReplacedParent: entries whose parent becomes a
// symlink to the host after they were made, then listed again with other
// metadata, change only files inside the layer.
func TestApplyMetadataThroughReplacedParent(t *testing.T) {
	s := newSandbox(t)
	f := file("a/passwd", "layer")
	f.mode = 0o600
	again := file("a/passwd", "again")
	again.mode = 0o777
	entries := []entry{dir("a"), f, symlink("a", s.outside), again}
	before := treeState(t, s.outside)
	if _, err := Apply(bytes.NewReader(buildTar(t, entries, 0)), s.layer, Options{}); err != nil {
		t.Fatal(err)
	}
	if after := treeState(t, s.outside); after != before {
		t.Errorf("outside changed:\nbefore %s\nafter  %s", before, after)
	}
	fi, err := os.Stat(filepath.Join(s.outside, "passwd"))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("host passwd: %v %v, want mode 0644", fi.Mode(), err)
	}
	inLayer := filepath.Join(s.layer, strings.TrimPrefix(s.outside, "/"), "passwd")
	if data, err := os.ReadFile(inLayer); err != nil || string(data) != "again" {
		t.Errorf("%s = %q %v, want the second entry there", inLayer, data, err)
	}
}

// allocated is the space a file really takes, holes not counted.
func allocated(t *testing.T, p string) int64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		t.Fatal(err)
	}
	return st.Blocks * 512
}

// TestApplyKeepsSparseFilesSparse: a 2 GiB file of 10 KB of data, in GNU
// tar's sparse formats (GNU and PAX), takes kilobytes once applied.
func TestApplyKeepsSparseFilesSparse(t *testing.T) {
	tarBin, err := exec.LookPath("tar")
	if err != nil {
		t.Skip("skipped: GNU tar not installed (it writes the sparse formats)")
	}
	src := t.TempDir()
	big := filepath.Join(src, "big")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("ward"), 2560) // 10 KB
	if _, err := f.WriteAt(data, 1<<30); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(2 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, format := range []string{"gnu", "posix"} {
		t.Run(format, func(t *testing.T) {
			b, err := exec.Command(tarBin, "--sparse", "--format="+format, "-C", src, "-cf", "-", "big").Output()
			if err != nil {
				t.Fatalf("tar: %v", err)
			}
			out := bytes.NewBuffer(b)
			if out.Len() > 1<<20 {
				t.Fatalf("tar wrote %d bytes: not a sparse archive", out.Len())
			}
			layer := filepath.Join(t.TempDir(), "layer")
			if _, err := Apply(out, layer, Options{}); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(layer, "big")
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Size() != 2<<30 {
				t.Errorf("size %d, want %d", fi.Size(), 2<<30)
			}
			if a := allocated(t, p); a > 1<<20 {
				t.Errorf("%d bytes allocated for 10 KB of data", a)
			}
			got := make([]byte, len(data))
			g, _ := os.Open(p)
			defer g.Close()
			if _, err := g.ReadAt(got, 1<<30); err != nil || !bytes.Equal(got, data) {
				t.Errorf("data at 1 GiB differs: %v", err)
			}
		})
	}
}

// TestApplyRefusesWhatDoesNotFit: on a 16 MiB filesystem a sparse 1 GiB
// file applies, and 32 MiB of real data is refused with a clear error and
// nothing left.
func TestApplyRefusesWhatDoesNotFit(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipped: needs root to mount a small tmpfs")
	}
	mnt := t.TempDir()
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=16m"); err != nil {
		t.Skipf("skipped: cannot mount tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(mnt, unix.MNT_DETACH) })

	var sparse bytes.Buffer
	tw := tar.NewWriter(&sparse)
	tw.WriteHeader(&tar.Header{Name: "zeros", Typeflag: tar.TypeReg, Mode: 0o644, Size: 64 << 20})
	tw.Write(make([]byte, 64<<20))
	tw.Close()
	if _, err := Apply(&sparse, filepath.Join(mnt, "ok"), Options{}); err != nil {
		t.Fatalf("64 MiB of zeros on a 16 MiB filesystem: %v", err)
	}

	dense := buildTar(t, []entry{file("a", "x"), file("big", strings.Repeat("x", 32<<20))}, 0)
	_, err := Apply(bytes.NewReader(dense), filepath.Join(mnt, "full"), Options{})
	if err == nil || !strings.Contains(err.Error(), "free space") || !strings.Contains(err.Error(), `"big"`) {
		t.Fatalf("Apply = %v, want the free space error naming big", err)
	}
	if _, err := os.Stat(filepath.Join(mnt, "full")); !os.IsNotExist(err) {
		t.Errorf("layer directory left after the refusal: %v", err)
	}
}

// treeState describes everything a tree holds that unpacking could change:
// names, types, modes, owners, sizes, times, contents, xattrs.
func treeState(t testing.TB, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %o %d:%d %d %d.%d;", p, st.Mode, st.Uid, st.Gid, st.Size, st.Mtim.Sec, st.Mtim.Nsec)
		switch {
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%x;", sha256.Sum256(data))
		case fi.Mode()&os.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			fmt.Fprintf(&b, "->%s;", l)
		}
		buf := make([]byte, 4096)
		if n, err := unix.Llistxattr(p, buf); err == nil {
			fmt.Fprintf(&b, "x[%q];", buf[:n])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
