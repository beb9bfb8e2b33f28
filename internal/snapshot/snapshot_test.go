package snapshot

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/moby/sys/mountinfo"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/testutil"
)

// tarOf archives a directory (symlinks included) with relative names.
func tarOf(t *testing.T, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.AddFS(os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// layerTar builds a layer from (name, content) pairs; a name ending in /
// is a directory.
func layerTar(t *testing.T, entries ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i := 0; i < len(entries); i += 2 {
		h := &tar.Header{Name: entries[i], Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(entries[i+1]))}
		if strings.HasSuffix(h.Name, "/") {
			h.Typeflag, h.Mode, h.Size = tar.TypeDir, 0o755, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, entries[i+1])
	}
	tw.Close()
	return buf.Bytes()
}

// mountsUnder returns the lines of /proc/self/mountinfo that mention dir:
// other tests on this machine may mount and unmount meanwhile.
func mountsUnder(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, dir) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// checkNoUUIDOption fails when the overlay at rootfs shows a uuid=
// option, which Docker's overlay2 roots do not (on Linux 6.6 and later a
// first mount of a fresh upper directory shows uuid=on).
func checkNoUUIDOption(t *testing.T, rootfs string) {
	t.Helper()
	mounts, err := mountinfo.GetMounts(mountinfo.SingleEntryFilter(rootfs))
	if err != nil || len(mounts) != 1 {
		t.Fatalf("the overlay at %s: %d mounts, %v", rootfs, len(mounts), err)
	}
	if mounts[0].FSType != "overlay" {
		t.Fatalf("the root at %s is %s, want overlay", rootfs, mounts[0].FSType)
	}
	for _, o := range strings.Split(mounts[0].VFSOptions, ",") {
		if strings.HasPrefix(o, "uuid=") {
			t.Errorf("the overlay at %s shows %s, Docker's none", rootfs, o)
		}
	}
}

func setup(t *testing.T) (*store.Store, *Snapshotter, string) {
	t.Helper()
	root := t.TempDir()
	st, err := store.Open(filepath.Join(root, "images"))
	if err != nil {
		t.Fatal(err)
	}
	sn, err := New(filepath.Join(root, "layers"), filepath.Join(root, "snapshots"), st)
	if err != nil {
		t.Fatal(err)
	}
	return st, sn, root
}

func TestPrepareBusybox(t *testing.T) {
	testutil.RequireRoot(t)
	st, sn, root := setup(t)
	rootfsDir := filepath.Join(t.TempDir(), "rootfs")
	testutil.BusyboxRootfs(t, rootfsDir)
	ref, _ := image.ParseTag("busybox:test")
	img, err := st.Import(context.Background(), bytes.NewReader(tarOf(t, rootfsDir)), store.ImportOptions{Ref: &ref}, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := mountsUnder(t, root)

	rootfs, err := sn.Prepare("c1", "busybox:test")
	if err != nil {
		t.Fatal(err)
	}
	if mountsUnder(t, root) == before {
		t.Fatal("Prepare mounted nothing under the test root")
	}
	layerDir := filepath.Join(root, "layers", img.Layers[0].ChainID.Hex)
	t.Run("files visible", func(t *testing.T) {
		if fi, err := os.Stat(filepath.Join(rootfs, "bin/busybox")); err != nil || fi.Mode()&0o111 == 0 {
			t.Errorf("bin/busybox in the rootfs: %v %v", fi, err)
		}
		if l, err := os.Readlink(filepath.Join(rootfs, "bin/sh")); err != nil || l != "busybox" {
			t.Errorf("bin/sh link = %q, %v", l, err)
		}
	})
	t.Run("writes go to the upper dir", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(rootfs, "etc/passwd"), []byte("changed\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(rootfs, "new"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if data, _ := os.ReadFile(filepath.Join(layerDir, "etc/passwd")); strings.Contains(string(data), "changed") {
			t.Error("a write in the container changed the shared layer")
		}
		if _, err := os.Stat(filepath.Join(layerDir, "new")); err == nil {
			t.Error("a new file appeared in the shared layer")
		}
		if _, err := os.Stat(filepath.Join(root, "snapshots/c1/upper/new")); err != nil {
			t.Errorf("new file not in the upper dir: %v", err)
		}
	})
	t.Run("second container shares the layer", func(t *testing.T) {
		rootfs2, err := sn.Prepare("c2", img.ID.String())
		if err != nil {
			t.Fatal(err)
		}
		defer sn.Remove("c2")
		if data, _ := os.ReadFile(filepath.Join(rootfs2, "etc/passwd")); strings.Contains(string(data), "changed") {
			t.Error("one container's write is visible in another")
		}
		entries, _ := os.ReadDir(filepath.Join(root, "layers"))
		var layers, inits int
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), initLayerSuffix) {
				inits++
			} else {
				layers++
			}
		}
		if layers != 1 || inits > 1 {
			t.Errorf("%d layer directories and %d init layers, want the one layer and its init layer shared", layers, inits)
		}
	})
	t.Run("overlay options as Docker's", func(t *testing.T) {
		checkNoUUIDOption(t, rootfs)
	})
	t.Run("layers are private", func(t *testing.T) {
		for _, d := range []string{"layers", "snapshots"} {
			if fi, err := os.Stat(filepath.Join(root, d)); err != nil || fi.Mode().Perm() != 0o700 {
				t.Errorf("%s mode %v, %v; want 0700", d, fi.Mode().Perm(), err)
			}
		}
	})
	if _, err := sn.Prepare("c1", "busybox:test"); err == nil {
		t.Error("a second Prepare of the same container succeeded")
	}
	if err := sn.Remove("c1"); err != nil {
		t.Fatal(err)
	}
	if after := mountsUnder(t, root); after != before {
		t.Errorf("mounts left after Remove:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if _, err := os.Stat(filepath.Join(root, "snapshots/c1")); !os.IsNotExist(err) {
		t.Errorf("snapshot directory left: %v", err)
	}
	if err := sn.Remove("c1"); err != nil {
		t.Errorf("second Remove: %v", err)
	}
	if err := sn.Prune(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(layerDir); !os.IsNotExist(err) {
		t.Errorf("unused layer kept by Prune: %v", err)
	}
}

// TestWhiteouts stacks two layers: the upper deletes a file and makes a
// directory opaque, as an image built by docker would.
func TestWhiteouts(t *testing.T) {
	testutil.RequireRoot(t)
	st, sn, _ := setup(t)
	rec := storeImage(t, st,
		layerTar(t, "etc/", "", "etc/passwd", "root", "etc/hosts", "hosts", "var/", "", "var/old", "old", "var/keep", "k"),
		layerTar(t, "etc/", "", "etc/.wh.passwd", "", "var/", "", "var/.wh..wh..opq", "", "var/new", "new"))
	rootfs, err := sn.Prepare("w", rec.ID.String())
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Remove("w")
	tests := []struct {
		path   string
		exists bool
	}{
		{"etc/passwd", false}, {"etc/hosts", true}, {"etc/.wh.passwd", false},
		{"var/old", false}, {"var/keep", false}, {"var/new", true},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			_, err := os.Lstat(filepath.Join(rootfs, tc.path))
			if exists := err == nil; exists != tc.exists {
				t.Errorf("%s exists = %v, want %v", tc.path, exists, tc.exists)
			}
		})
	}
}

// fakeSource serves a layer whose content does not match its diff ID.
type fakeSource struct{ data []byte }

func (f fakeSource) Layers(string) ([]image.Layer, error) {
	bogus := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("ab", 32)}
	return []image.Layer{{Digest: bogus, DiffID: bogus, ChainID: bogus}}, nil
}
func (f fakeSource) OpenLayer(image.Layer) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(f.data)), nil
}

func TestPrepareRefuses(t *testing.T) {
	root := t.TempDir()
	sn, err := New(filepath.Join(root, "layers"), filepath.Join(root, "snapshots"), fakeSource{layerTar(t, "a", "x")})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, id, want string }{
		{"diff ID mismatch", "c", "expected diff ID"},
		{"container ID with a slash", "../c", "invalid container ID"},
		{"empty container ID", "", "invalid container ID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sn.Prepare(tc.id, "img")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Prepare = %v, want an error containing %q", err, tc.want)
			}
			for _, d := range []string{"layers", "snapshots"} {
				if entries, _ := os.ReadDir(filepath.Join(root, d)); len(entries) != 0 {
					t.Errorf("%s not empty after a refusal: %v", d, entries)
				}
			}
		})
	}
	if err := sn.Remove("../x"); err == nil {
		t.Error("Remove accepted a container ID with a slash")
	}
}

// TestManyLayers prepares an image of more layers than mount(2)'s one
// page of options can name.
func TestManyLayers(t *testing.T) {
	testutil.RequireRoot(t)
	st, sn, _ := setup(t)
	const n = 60
	var tars [][]byte
	for i := range n {
		tars = append(tars, layerTar(t, fmt.Sprintf("l%02d", i), "x", "top", fmt.Sprint(i)))
	}
	rec := storeImage(t, st, tars...)
	rootfs, err := sn.Prepare("many", rec.ID.String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := sn.Remove("many"); err != nil {
			t.Error(err)
		}
	}()
	checkNoUUIDOption(t, rootfs)
	for _, f := range []string{"l00", fmt.Sprintf("l%02d", n-1)} {
		if _, err := os.Stat(filepath.Join(rootfs, f)); err != nil {
			t.Errorf("%s from a layer is missing: %v", f, err)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(rootfs, "top")); string(data) != fmt.Sprint(n-1) {
		t.Errorf("top = %q, want the last layer's %d", data, n-1)
	}
}

// storeImage writes an image of the given layer tars, lowest first, into st.
func storeImage(t *testing.T, st *store.Store, tars ...[]byte) *image.Image {
	t.Helper()
	var layers []v1.Layer
	for _, data := range tars {
		l, err := tarball.LayerFromReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		layers = append(layers, l)
	}
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Write(context.Background(), img, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}
