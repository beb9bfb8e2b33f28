package snapshot

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/archive"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/testutil"
)

// importDir imports a directory as a one-layer image named ref.
func importDir(t *testing.T, st *store.Store, dir, ref string) *image.Image {
	t.Helper()
	tag, _ := image.ParseTag(ref)
	img, err := st.Import(context.Background(), bytes.NewReader(tarOf(t, dir)), store.ImportOptions{Ref: &tag}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// An image without Docker's network files gets them from its init layer:
// the container's root shows them, empty, in an /etc that keeps the
// image's mode and owner, and its writable layer stays empty (nothing
// copied up, nothing created); its containers share the init layer,
// which Prune keeps while its chain lives and removes with it.
func TestInitLayer(t *testing.T) {
	testutil.RequireRoot(t)
	st, sn, root := setup(t)
	dir := filepath.Join(t.TempDir(), "rootfs")
	if err := os.MkdirAll(filepath.Join(dir, "etc"), 0o750); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(dir, "etc"), 0o750)
	if err := os.WriteFile(filepath.Join(dir, "etc", "hosts"), []byte("127.0.0.1 image\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(filepath.Join(dir, "etc"), 7, 8); err != nil {
		t.Fatal(err)
	}
	img := importDir(t, st, dir, "initlayer:test")
	chain := img.Layers[0].ChainID.Hex
	for _, id := range []string{"c1", "c2"} {
		rootfs, err := sn.PrepareScratch(id, img.ID.String())
		if err != nil {
			t.Fatal(err)
		}
		defer sn.Remove(id)
		var st unix.Stat_t
		if err := unix.Stat(filepath.Join(rootfs, "etc"), &st); err != nil || st.Mode&07777 != 0o750 || st.Uid != 7 || st.Gid != 8 {
			t.Errorf("%s: /etc mode %o owner %d:%d (%v), want the image's 750 7:8", id, st.Mode&07777, st.Uid, st.Gid, err)
		}
		for _, name := range []string{"hostname", "resolv.conf"} {
			if fi, err := os.Stat(filepath.Join(rootfs, "etc", name)); err != nil || fi.Size() != 0 || !fi.Mode().IsRegular() {
				t.Errorf("%s: /etc/%s: %v, %v; want an empty file", id, name, fi, err)
			}
		}
		if data, _ := os.ReadFile(filepath.Join(rootfs, "etc", "hosts")); string(data) != "127.0.0.1 image\n" {
			t.Errorf("%s: the image's own /etc/hosts is shadowed: %q", id, data)
		}
		if entries, _ := os.ReadDir(filepath.Join(root, "snapshots", id, "upper")); len(entries) != 0 {
			t.Errorf("%s: the writable layer holds %d entries, want none", id, len(entries))
		}
	}
	init := filepath.Join(root, "layers", chain+initLayerSuffix)
	if _, err := os.Stat(init); err != nil {
		t.Fatalf("no shared init layer: %v", err)
	}
	if err := sn.Prune(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(init); err != nil {
		t.Errorf("Prune removed the init layer of a chain in use: %v", err)
	}
	sn.Remove("c1")
	sn.Remove("c2")
	if err := sn.Prune(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(init); err == nil {
		t.Error("Prune kept the init layer of a chain no image or snapshot uses")
	}
}

// No init layer where the image has all the files, or an /etc that is
// not a directory (the runtime resolves those, as before).
func TestNoInitLayer(t *testing.T) {
	testutil.RequireRoot(t)
	for name, build := range map[string]func(dir string) error{
		"all files": func(dir string) error {
			os.MkdirAll(filepath.Join(dir, "etc"), 0o755)
			for _, f := range initFiles {
				if err := os.WriteFile(filepath.Join(dir, "etc", f), nil, 0o644); err != nil {
					return err
				}
			}
			return nil
		},
		"etc a link": func(dir string) error {
			os.MkdirAll(filepath.Join(dir, "real"), 0o755)
			return os.Symlink("real", filepath.Join(dir, "etc"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			st, sn, root := setup(t)
			dir := filepath.Join(t.TempDir(), "rootfs")
			os.MkdirAll(filepath.Join(dir, "bin"), 0o755)
			if err := build(dir); err != nil {
				t.Fatal(err)
			}
			img := importDir(t, st, dir, "noinit:test")
			if _, err := sn.PrepareScratch("c", img.ID.String()); err != nil {
				t.Fatal(err)
			}
			defer sn.Remove("c")
			if _, err := os.Stat(filepath.Join(root, "layers", img.Layers[0].ChainID.Hex+initLayerSuffix)); err == nil {
				t.Error("an init layer was made")
			}
		})
	}
}

// inMerged reads the layers as overlayfs merges them: the top layer
// holding the path decides, a whiteout deletes, an opaque or deleted
// directory hides what is below.
func TestInMerged(t *testing.T) {
	testutil.RequireRoot(t) // trusted.* xattrs and whiteout devices
	top, mid, bottom := t.TempDir(), t.TempDir(), t.TempDir()
	lower := []string{top, mid, bottom}
	for _, l := range lower {
		os.Mkdir(filepath.Join(l, "etc"), 0o755)
	}
	os.WriteFile(filepath.Join(bottom, "etc", "hosts"), nil, 0o644)
	os.WriteFile(filepath.Join(bottom, "etc", "hostname"), nil, 0o644)
	os.WriteFile(filepath.Join(bottom, "etc", "resolv.conf"), nil, 0o644)
	if err := unix.Mknod(filepath.Join(mid, "etc", "hostname"), unix.S_IFCHR, 0); err != nil {
		t.Fatal(err)
	}
	if !inMerged(lower, "etc", "hosts") {
		t.Error("etc/hosts of the bottom layer not seen")
	}
	if inMerged(lower, "etc", "hostname") {
		t.Error("etc/hostname deleted by a whiteout is seen")
	}
	if err := unix.Setxattr(filepath.Join(top, "etc"), archive.OverlayOpaqueXattr, []byte("y"), 0); err != nil {
		t.Fatal(err)
	}
	if inMerged(lower, "etc", "resolv.conf") {
		t.Error("etc/resolv.conf below an opaque etc is seen")
	}
	if _, found, ok := lookupDir([]string{t.TempDir()}, "etc"); found || !ok {
		t.Errorf("no etc: found %v, ok %v", found, ok)
	}
}
