package dockerdiff

// Copied from test/managers: the busybox image archive both engines load.

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/wardproject/ward/internal/testutil"
)

// layerEntry is one file of a layer tar.
type layerEntry struct {
	name     string
	mode     int64
	typeflag byte
	linkname string
	data     []byte
}

// busyboxLayer is Debian's static busybox with every applet it lists as a
// link, and the few files a container expects. Its /etc/passwd names a
// user, alice, with a supplementary group, so --user NAME is exercised.
func busyboxLayer(t *testing.T) []layerEntry {
	t.Helper()
	data, err := os.ReadFile(testutil.BusyboxPath)
	if err != nil {
		t.Fatal(err)
	}
	list, err := exec.Command(testutil.BusyboxPath, "--list").Output()
	if err != nil {
		t.Fatalf("busybox --list: %v", err)
	}
	entries := []layerEntry{
		{name: "bin/", mode: 0o755, typeflag: tar.TypeDir},
		{name: "dev/", mode: 0o755, typeflag: tar.TypeDir},
		{name: "etc/", mode: 0o755, typeflag: tar.TypeDir},
		{name: "proc/", mode: 0o755, typeflag: tar.TypeDir},
		{name: "root/", mode: 0o700, typeflag: tar.TypeDir},
		{name: "sys/", mode: 0o755, typeflag: tar.TypeDir},
		{name: "tmp/", mode: 0o1777, typeflag: tar.TypeDir},
		{name: "bin/busybox", mode: 0o755, typeflag: tar.TypeReg, data: data},
		{name: "etc/passwd", mode: 0o644, typeflag: tar.TypeReg, data: []byte(
			"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n" +
				"alice:x:1002:1002:alice:/home/alice:/bin/sh\n")},
		{name: "etc/group", mode: 0o644, typeflag: tar.TypeReg, data: []byte(
			"root:x:0:\nnogroup:x:65534:\nalice:x:1002:\nstaff:x:50:alice\n")},
	}
	for _, a := range strings.Fields(string(list)) {
		// The list names busybox itself: a link there would replace the binary.
		if a == "busybox" || strings.Contains(a, "/") {
			continue
		}
		entries = append(entries, layerEntry{name: "bin/" + a, mode: 0o777, typeflag: tar.TypeSymlink, linkname: "busybox"})
	}
	return entries
}

// imageArchive writes an image archive at path that both `docker load`
// (Docker 20.10 reads manifest.json) and `ctr image import` (containerd
// reads index.json) accept: one uncompressed layer, blobs by digest.
func imageArchive(t *testing.T, path, ref string, layer []layerEntry, cfg v1.ImageConfig) {
	t.Helper()
	var layerBuf bytes.Buffer
	lw := tar.NewWriter(&layerBuf)
	stamp := time.Unix(0, 0)
	for _, e := range layer {
		h := &tar.Header{Name: e.name, Mode: e.mode, Typeflag: e.typeflag, Linkname: e.linkname,
			Size: int64(len(e.data)), ModTime: stamp, Format: tar.FormatPAX}
		if err := lw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := lw.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := lw.Close(); err != nil {
		t.Fatal(err)
	}
	layerDigest := digest.FromBytes(layerBuf.Bytes())

	config := mustJSON(t, v1.Image{
		Platform: v1.Platform{Architecture: runtime.GOARCH, OS: "linux"},
		Config:   cfg,
		RootFS:   v1.RootFS{Type: "layers", DiffIDs: []digest.Digest{layerDigest}},
	})
	configDesc := v1.Descriptor{MediaType: v1.MediaTypeImageConfig, Digest: digest.FromBytes(config), Size: int64(len(config))}
	layerDesc := v1.Descriptor{MediaType: v1.MediaTypeImageLayer, Digest: layerDigest, Size: int64(layerBuf.Len())}
	manifest := mustJSON(t, v1.Manifest{
		Versioned: ocispec.Versioned{SchemaVersion: 2},
		MediaType: v1.MediaTypeImageManifest,
		Config:    configDesc,
		Layers:    []v1.Descriptor{layerDesc},
	})
	manifestDesc := v1.Descriptor{
		MediaType: v1.MediaTypeImageManifest, Digest: digest.FromBytes(manifest), Size: int64(len(manifest)),
		Platform: &v1.Platform{Architecture: runtime.GOARCH, OS: "linux"},
		Annotations: map[string]string{
			"io.containerd.image.name": ref,
			v1.AnnotationRefName:       ref[strings.LastIndex(ref, ":")+1:],
		},
	}
	index := mustJSON(t, v1.Index{
		Versioned: ocispec.Versioned{SchemaVersion: 2},
		MediaType: v1.MediaTypeImageIndex,
		Manifests: []v1.Descriptor{manifestDesc},
	})
	blob := func(d digest.Digest) string { return "blobs/sha256/" + d.Encoded() }
	dockerManifest := mustJSON(t, []map[string]any{{
		"Config":   blob(configDesc.Digest),
		"RepoTags": []string{ref},
		"Layers":   []string{blob(layerDigest)},
	}})

	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := tar.NewWriter(f)
	files := []struct {
		name string
		data []byte
	}{
		{v1.ImageLayoutFile, []byte(`{"imageLayoutVersion":"1.0.0"}`)},
		{blob(layerDigest), layerBuf.Bytes()},
		{blob(configDesc.Digest), config},
		{blob(manifestDesc.Digest), manifest},
		{"index.json", index},
		{"manifest.json", dockerManifest},
	}
	for _, d := range []string{"blobs/", "blobs/sha256/"} {
		if err := w.WriteHeader(&tar.Header{Name: d, Mode: 0o755, Typeflag: tar.TypeDir, ModTime: stamp}); err != nil {
			t.Fatal(err)
		}
	}
	for _, file := range files {
		if err := w.WriteHeader(&tar.Header{Name: file.name, Mode: 0o644, Size: int64(len(file.data)), ModTime: stamp}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(file.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
