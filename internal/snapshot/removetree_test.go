package snapshot

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/testutil"
)

// TestRemoveTree: a tree of files, directories and symlinks goes; a
// symlink to outside is removed, not followed.
func TestRemoveTree(t *testing.T) {
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	if err := os.MkdirAll(filepath.Join(outside, "keep"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "snap")
	for _, d := range []string{"upper/a/b", "work/work", "rootfs", "empty"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"snapshot.json", "upper/a/file", "upper/a/b/deep"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(dir, "upper", "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "upper", "a", "b"), 0o500); err != nil { // root removes it anyway; others need write on it
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		os.Chmod(filepath.Join(dir, "upper", "a", "b"), 0o755)
	}
	if err := removeTree(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still there: %v", dir, err)
	}
	if _, err := os.Stat(filepath.Join(outside, "keep")); err != nil {
		t.Errorf("the symlink's target was touched: %v", err)
	}
	if err := removeTree(dir); err != nil {
		t.Errorf("a tree already gone: %v", err)
	}
}

// TestRemoveTreeStopsAtMounts: a directory or a file mounted below
// stops the removal with errCrossesMount and the mounted filesystem's
// content intact; Remove's general path (which reads the mount table)
// finishes the job.
func TestRemoveTreeStopsAtMounts(t *testing.T) {
	testutil.RequireRoot(t)
	for _, kind := range []string{"directory", "file"} {
		t.Run(kind, func(t *testing.T) {
			base := t.TempDir()
			shared := filepath.Join(base, "shared") // what an idmapped layer exposes
			if err := os.MkdirAll(shared, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(shared, "layerfile"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(base, "snap")
			target := filepath.Join(dir, "lower", "0")
			source := shared
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				t.Fatal(err)
			}
			if kind == "directory" {
				err := os.Mkdir(target, 0o755)
				if err != nil {
					t.Fatal(err)
				}
			} else {
				source = filepath.Join(shared, "layerfile")
				if err := os.WriteFile(target, nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := unix.Mount(source, target, "", unix.MS_BIND, ""); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { unix.Unmount(target, unix.MNT_DETACH) })
			if err := removeTree(dir); !errors.Is(err, errCrossesMount) {
				t.Fatalf("removeTree over a mount: %v, want errCrossesMount", err)
			}
			if _, err := os.Stat(filepath.Join(shared, "layerfile")); err != nil {
				t.Fatalf("the mounted filesystem lost its content: %v", err)
			}
			// The general path: unmount below, then remove.
			if err := unmountBelow(dir); err != nil {
				t.Fatal(err)
			}
			if err := removeTree(dir); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(shared, "layerfile")); err != nil {
				t.Fatalf("the shared layer lost its content: %v", err)
			}
		})
	}
}
