package store

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/archive"
)

var ctx = context.Background()

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "images"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// capNetBindService is a security.capability xattr (v2) granting
// cap_net_bind_service in the permitted and effective sets.
const capNetBindService = "\x01\x00\x00\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

// rootfsTar is a small root filesystem with a setuid file and a file with
// a file capability, as `ward import` must keep them.
func rootfsTar(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(h *tar.Header, data string) {
		h.Size = int64(len(data))
		h.Format = tar.FormatPAX
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, data)
	}
	add(&tar.Header{Name: "bin/", Typeflag: tar.TypeDir, Mode: 0o755}, "")
	add(&tar.Header{Name: "bin/su", Typeflag: tar.TypeReg, Mode: 0o4755}, "setuid binary")
	add(&tar.Header{Name: "bin/ping", Typeflag: tar.TypeReg, Mode: 0o755, Uid: 1000, Gid: 1000,
		PAXRecords: map[string]string{"SCHILY.xattr.security.capability": capNetBindService}}, "ping binary")
	add(&tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755}, "")
	add(&tar.Header{Name: "etc/passwd", Typeflag: tar.TypeReg, Mode: 0o644}, "root:x:0:0:root:/root:/bin/sh\n")
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// assertConsistent checks the crash-safety invariant: every blob the
// metadata names exists and has the digest it is named by.
func assertConsistent(t *testing.T, s *Store) {
	t.Helper()
	imgs, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range imgs {
		blobs := []v1.Hash{img.ID, img.Manifest}
		for _, l := range img.Layers {
			blobs = append(blobs, l.Digest)
		}
		for _, h := range blobs {
			data, err := os.ReadFile(s.blobPath(h))
			if err != nil {
				t.Errorf("image %s names missing blob %s", img.ShortID(), h)
				continue
			}
			if got, _, _ := v1.SHA256(bytes.NewReader(data)); got != h {
				t.Errorf("blob %s holds content %s", h, got)
			}
		}
	}
}

func TestImportKeepsSetuidAndCapabilities(t *testing.T) {
	s := newStore(t)
	ref, _ := image.ParseTag("imported:v1")
	rec, err := s.Import(ctx, bytes.NewReader(rootfsTar(t)), ImportOptions{Ref: &ref, Comment: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Layers) != 1 || len(rec.RepoTags) != 1 || rec.RepoTags[0] != ref.Name() {
		t.Fatalf("imported image = %+v", rec)
	}
	assertConsistent(t, s)
	cfg, err := s.ConfigFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RootFS.DiffIDs[0] != rec.Layers[0].DiffID || cfg.OS != "linux" {
		t.Errorf("config = %+v", cfg)
	}

	// The stored layer is the tar as given: its headers keep everything.
	rc, err := s.OpenLayer(rec.Layers[0])
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, rootfsTar(t)) {
		t.Errorf("stored layer differs from the imported tar")
	}
	if os.Geteuid() != 0 {
		t.Skip("skipped: unpacking with owners and file capabilities needs root")
	}
	dir := filepath.Join(t.TempDir(), "layer")
	if _, err := archive.Apply(bytes.NewReader(data), dir, archive.Options{}); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(dir, "bin/su"), &st); err != nil || st.Mode&0o7777 != 0o4755 {
		t.Errorf("bin/su mode = %o, %v; want setuid 4755", st.Mode&0o7777, err)
	}
	buf := make([]byte, 64)
	n, err := unix.Getxattr(filepath.Join(dir, "bin/ping"), "security.capability", buf)
	if err != nil || string(buf[:n]) != capNetBindService {
		t.Errorf("bin/ping security.capability = %q, %v", buf[:n], err)
	}
	if err := unix.Stat(filepath.Join(dir, "bin/ping"), &st); err != nil || st.Uid != 1000 {
		t.Errorf("bin/ping owner = %d, %v; want 1000", st.Uid, err)
	}
}

func TestImportRefusesBadInput(t *testing.T) {
	good := rootfsTar(t)
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"not a tar", bytes.Repeat([]byte("garbage!"), 200)},
		{"truncated tar", good[:700]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			_, err := s.Import(ctx, bytes.NewReader(tc.data), ImportOptions{}, nil)
			if err == nil {
				t.Fatal("Import accepted it")
			}
			imgs, _ := s.List()
			if len(imgs) != 0 {
				t.Errorf("%d images recorded after a failed import", len(imgs))
			}
			entries, _ := os.ReadDir(filepath.Join(s.Dir(), "blobs", "sha256"))
			if len(entries) != 0 {
				t.Errorf("blobs left after a failed import: %v", entries)
			}
		})
	}
}

func randomImage(t *testing.T, layers int64) v1.Image {
	t.Helper()
	img, err := random.Image(2048, layers)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestReferencesAndDelete(t *testing.T) {
	s := newStore(t)
	img := randomImage(t, 2)
	ref, _ := image.ParseReference("example.com/app:1.0")
	rec, err := s.Write(ctx, img, []name.Reference{ref}, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertConsistent(t, s)
	wantID, _ := img.ConfigName()
	if rec.ID != wantID {
		t.Errorf("ID = %s, want the config digest %s", rec.ID, wantID)
	}
	other, err := s.Write(ctx, randomImage(t, 1), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, what := range []string{"example.com/app:1.0", rec.ID.String(), rec.ID.Hex, rec.ID.Hex[:12]} {
		t.Run("get "+what, func(t *testing.T) {
			got, err := s.Get(what)
			if err != nil || got.ID != rec.ID {
				t.Errorf("Get(%q) = %v, %v", what, got, err)
			}
		})
	}
	if _, err := s.Get("example.com/app:2.0"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of an unknown tag: %v, want ErrNotFound", err)
	}
	tag, _ := image.ParseTag("busybox:mine")
	if err := s.Tag(rec.ID.Hex[:8], tag); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get("busybox:mine")
	if got == nil || len(got.RepoTags) != 2 {
		t.Fatalf("after Tag: %+v", got)
	}
	if err := s.Untag(tag); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("busybox:mine"); !errors.Is(err, ErrNotFound) {
		t.Errorf("untagged reference still resolves: %v", err)
	}

	s.InUse = func(id v1.Hash) ([]string, error) {
		if id == rec.ID {
			return []string{"c0ffee"}, nil
		}
		return nil, nil
	}
	if err := s.Delete(rec.ID); !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "c0ffee") {
		t.Errorf("Delete of an image in use: %v, want ErrInUse naming the container", err)
	}
	s.InUse = nil
	if err := s.Delete(rec.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("example.com/app:1.0"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted image's tag still resolves: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(s.Dir(), "blobs", "sha256"))
	if want := 2 + len(other.Layers); len(entries) != want {
		t.Errorf("%d blobs left after Delete, want the other image's %d", len(entries), want)
	}
	assertConsistent(t, s)
}

// dockerSave writes img as a docker-save archive.
func dockerSave(t *testing.T, img v1.Image, tag string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "save.tar")
	ref, _ := name.NewTag(tag)
	if err := tarball.WriteToFile(p, ref, img); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadArchives(t *testing.T) {
	img := randomImage(t, 3)
	wantID, _ := img.ConfigName()

	ociDir := t.TempDir()
	ref := "example.com/oci:v1"
	idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img,
		Descriptor: v1.Descriptor{Annotations: map[string]string{"org.opencontainers.image.ref.name": ref}}})
	if _, err := layout.Write(ociDir, idx); err != nil {
		t.Fatal(err)
	}
	ociTar := tarDir(t, ociDir)

	tests := []struct {
		name, path, ref string
	}{
		{"docker-save", dockerSave(t, img, "example.com/saved:v1"), "example.com/saved:v1"},
		{"oci layout", ociTar, ref},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			loaded, err := s.Load(ctx, tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(loaded) != 1 || loaded[0].Image.ID != wantID {
				t.Fatalf("loaded %+v, want image %s", loaded, wantID)
			}
			got, err := s.Get(tc.ref)
			if err != nil || got.ID != wantID {
				t.Errorf("Get(%s) = %v, %v", tc.ref, got, err)
			}
			assertConsistent(t, s)
			// What the store hands out again is the same image.
			back, _, err := s.Image(tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			if id, _ := back.ConfigName(); id != wantID {
				t.Errorf("stored image's config = %s", id)
			}
		})
	}
}

// TestLoadCorruptLayer swaps a layer of a docker-save archive for another
// valid layer: the config's diff ID no longer matches and nothing is kept.
func TestLoadCorruptLayer(t *testing.T) {
	intruder, _ := random.Layer(2048, "")
	rc, _ := intruder.Compressed()
	gz, _ := io.ReadAll(rc)
	plainSave, _ := dockerSaveLike(t, rootfsTar(t), "example.com/plain:v1")
	tests := []struct {
		name, path, layerSuffix string
		with                    []byte
	}{
		{"gzip layer", dockerSave(t, randomImage(t, 2), "example.com/bad:v1"), ".tar.gz", gz},
		{"plain layer", plainSave, "", layerTarOf(t, "other")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rewriteFirstLayer(t, tc.path, tc.layerSuffix, tc.with)
			s := newStore(t)
			_, err := s.Load(ctx, tc.path, nil)
			if err == nil || !strings.Contains(err.Error(), "mismatch") {
				t.Fatalf("Load of a corrupt archive: %v, want a digest mismatch", err)
			}
			imgs, _ := s.List()
			if len(imgs) != 0 {
				t.Errorf("%d images recorded from a corrupt archive", len(imgs))
			}
			assertConsistent(t, s)
		})
	}
}

// layerTarOf is a one-file layer tar.
func layerTarOf(t *testing.T, content string) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "f", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(content))})
	io.WriteString(tw, content)
	tw.Close()
	return buf.Bytes()
}

// rewriteFirstLayer replaces the content of the archive's first layer file.
// The layer is the first regular file whose name ends in suffix and
// that is larger than 1 kB (configs and manifest.json are smaller).
func rewriteFirstLayer(t *testing.T, path, suffix string, data []byte) {
	t.Helper()
	in, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	tr, tw := tar.NewReader(bytes.NewReader(in)), tar.NewWriter(&out)
	done := false
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		if !done && hdr.Typeflag == tar.TypeReg && strings.HasSuffix(hdr.Name, suffix) && hdr.Size > 1024 {
			body, done = data, true
			hdr.Size = int64(len(body))
		}
		tw.WriteHeader(hdr)
		tw.Write(body)
	}
	tw.Close()
	if !done {
		t.Fatal("no layer in the archive")
	}
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tarDir archives a directory's regular files with relative names.
func tarDir(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "layout.tar")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	if err := tw.AddFS(os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestStoreIsAnOCILayout reads the store's directory with
// go-containerregistry's layout package, as any OCI tool would, and
// validates every image in its index.
func TestStoreIsAnOCILayout(t *testing.T) {
	s := newStore(t)
	ref, _ := image.ParseTag("example.com/imported:v1")
	if _, err := s.Import(ctx, bytes.NewReader(rootfsTar(t)), ImportOptions{Ref: &ref}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write(ctx, randomImage(t, 2), nil, nil); err != nil {
		t.Fatal(err)
	}
	lp, err := layout.FromPath(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	idx, err := lp.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 2 {
		t.Fatalf("index.json lists %d manifests, want 2", len(im.Manifests))
	}
	names := 0
	for _, d := range im.Manifests {
		if d.Annotations["org.opencontainers.image.ref.name"] == ref.Name() {
			names++
		}
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		if err := validate.Image(img); err != nil {
			t.Errorf("image %s in the layout: %v", d.Digest, err)
		}
	}
	if names != 1 {
		t.Errorf("index.json names %s %d times, want once", ref.Name(), names)
	}
}

// TestCrashLeftoversCollected plays a crash between writing blobs and
// recording the image: the blobs are invisible, and the next Delete
// collects them along with temporary files.
func TestCrashLeftoversCollected(t *testing.T) {
	s := newStore(t)
	orphan, err := s.writeSmallBlob([]byte(`{"orphan":true}`), v1.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(s.Dir(), "blobs", "sha256", ".tmp-crashed")
	if err := os.WriteFile(tmp, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	if imgs, _ := s.List(); len(imgs) != 0 {
		t.Fatalf("blobs without a record made %d images", len(imgs))
	}
	keep, err := s.Write(ctx, randomImage(t, 1), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	gone, err := s.Write(ctx, randomImage(t, 1), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(gone.ID); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{s.blobPath(orphan), tmp} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s survived collection: %v", p, err)
		}
	}
	if _, err := s.Get(keep.ID.String()); err != nil {
		t.Errorf("the other image: %v", err)
	}
	assertConsistent(t, s)
}

// TestConcurrentWrites runs writers side by side, as two ward processes
// would: every image is recorded and the store stays consistent.
func TestConcurrentWrites(t *testing.T) {
	s := newStore(t)
	const n = 4
	errs := make(chan error, n)
	for i := range n {
		img := randomImage(t, 2)
		go func() {
			ref, _ := image.ParseReference(fmt.Sprintf("example.com/c%d:v1", i))
			_, err := s.Write(ctx, img, []name.Reference{ref}, nil)
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	imgs, err := s.List()
	if err != nil || len(imgs) != n {
		t.Fatalf("List = %d images, %v; want %d", len(imgs), err, n)
	}
	assertConsistent(t, s)
}

// BenchmarkImport imports a 32 MB root filesystem tar of half-compressible
// files (the ward import path: tar check, gzip, two digests, bbolt).
func BenchmarkImport(b *testing.B) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	rnd := rand.New(rand.NewPCG(1, 2))
	chunk := make([]byte, 64<<10)
	for i := range 512 {
		for j := range chunk {
			if j%2 == 0 {
				chunk[j] = byte(rnd.Uint32())
			} else {
				chunk[j] = 'a'
			}
		}
		tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("usr/lib/f%d", i), Mode: 0o644, Size: int64(len(chunk)), Typeflag: tar.TypeReg})
		tw.Write(chunk)
	}
	tw.Close()
	data := buf.Bytes()
	s, err := Open(filepath.Join(b.TempDir(), "images"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := s.Import(ctx, bytes.NewReader(data), ImportOptions{}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// dockerSaveLike writes an archive as docker save does: a plain layer tar
// in blobs/sha256/, reached through a legacy <id>/layer.tar symlink.
func dockerSaveLike(t testing.TB, layer []byte, tag string) (path string, id v1.Hash) {
	t.Helper()
	diff, _, _ := v1.SHA256(bytes.NewReader(layer))
	cfg, _ := json.Marshal(v1.ConfigFile{Architecture: "amd64", OS: "linux",
		RootFS: v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{diff}}, Config: v1.Config{Cmd: []string{"/bin/sh"}}})
	id, _, _ = v1.SHA256(bytes.NewReader(cfg))
	manifest, _ := json.Marshal([]map[string]any{{
		"Config": "blobs/sha256/" + id.Hex, "RepoTags": []string{tag}, "Layers": []string{"legacy/layer.tar"},
	}})
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	file := func(name string, data []byte) {
		tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data))})
		tw.Write(data)
	}
	file("blobs/sha256/"+diff.Hex, layer)
	file("blobs/sha256/"+id.Hex, cfg)
	tw.WriteHeader(&tar.Header{Name: "legacy/layer.tar", Typeflag: tar.TypeSymlink, Linkname: "../blobs/sha256/" + diff.Hex})
	file("manifest.json", manifest)
	tw.Close()
	path = filepath.Join(t.TempDir(), "docker-save.tar")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, id
}

func TestLoadPlainDockerSave(t *testing.T) {
	layer := rootfsTar(t)
	path, id := dockerSaveLike(t, layer, "saved:v1")
	s := newStore(t)
	loaded, err := s.Load(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != 1 || loaded[0].Image.ID != id || loaded[0].Image.RepoTags[0] != "index.docker.io/library/saved:v1" {
		t.Fatalf("loaded %+v, want image %s tagged saved:v1", loaded, id)
	}
	rc, err := s.OpenLayer(loaded[0].Image.Layers[0])
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if got, _ := io.ReadAll(rc); !bytes.Equal(got, layer) {
		t.Error("stored layer does not decompress to the saved tar")
	}
	if loaded[0].Image.Layers[0].MediaType != "application/vnd.docker.image.rootfs.diff.tar.gzip" {
		t.Errorf("plain layer stored as %s, want gzip", loaded[0].Image.Layers[0].MediaType)
	}
	assertConsistent(t, s)
}

// BenchmarkLoad loads a docker-save archive with one 32 MB plain layer.
func BenchmarkLoad(b *testing.B) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	for i := range 512 {
		tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("f%d", i), Mode: 0o644, Size: int64(len(chunk)), Typeflag: tar.TypeReg})
		tw.Write(chunk)
	}
	tw.Close()
	path, _ := dockerSaveLike(b, buf.Bytes(), "bench:v1")
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		s, err := Open(filepath.Join(b.TempDir(), "images"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Load(ctx, path, nil); err != nil {
			b.Fatal(err)
		}
	}
}
