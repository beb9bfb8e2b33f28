// Package imagearchive writes small image archives for tests, in the form
// both `docker load` and `ctr image import` accept (index.json and
// manifest.json side by side), because nothing can be pulled here.
package imagearchive

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

	"github.com/wardproject/ward/internal/testutil"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// Entry is one file of a layer tar.
type Entry struct {
	Name     string
	Mode     int64
	Typeflag byte
	Linkname string
	Data     []byte
}

// Write writes an image archive at path that both `docker load`
// (Docker 20.10 reads manifest.json) and `ctr image import` (containerd
// reads index.json) accept: one uncompressed layer, blobs by digest.
func Write(t *testing.T, path, ref string, layer []Entry, cfg v1.ImageConfig, opts ...Option) {
	t.Helper()
	var layerBuf bytes.Buffer
	lw := tar.NewWriter(&layerBuf)
	stamp := time.Unix(0, 0)
	for _, e := range layer {
		h := &tar.Header{Name: e.Name, Mode: e.Mode, Typeflag: e.Typeflag, Linkname: e.Linkname,
			Size: int64(len(e.Data)), ModTime: stamp, Format: tar.FormatPAX}
		if err := lw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := lw.Write(e.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := lw.Close(); err != nil {
		t.Fatal(err)
	}
	layerDigest := digest.FromBytes(layerBuf.Bytes())

	config := MustJSON(t, v1.Image{
		Platform: v1.Platform{Architecture: runtime.GOARCH, OS: "linux"},
		Config:   cfg,
		RootFS:   v1.RootFS{Type: "layers", DiffIDs: []digest.Digest{layerDigest}},
	})
	if len(opts) > 0 {
		var m map[string]any
		if err := json.Unmarshal(config, &m); err != nil {
			t.Fatal(err)
		}
		inner, _ := m["config"].(map[string]any)
		if inner == nil {
			inner = map[string]any{}
			m["config"] = inner
		}
		for _, o := range opts {
			o(inner)
		}
		config = MustJSON(t, m)
	}
	configDesc := v1.Descriptor{MediaType: v1.MediaTypeImageConfig, Digest: digest.FromBytes(config), Size: int64(len(config))}
	layerDesc := v1.Descriptor{MediaType: v1.MediaTypeImageLayer, Digest: layerDigest, Size: int64(layerBuf.Len())}
	manifest := MustJSON(t, v1.Manifest{
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
	index := MustJSON(t, v1.Index{
		Versioned: ocispec.Versioned{SchemaVersion: 2},
		MediaType: v1.MediaTypeImageIndex,
		Manifests: []v1.Descriptor{manifestDesc},
	})
	blob := func(d digest.Digest) string { return "blobs/sha256/" + d.Encoded() }
	dockerManifest := MustJSON(t, []map[string]any{{
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

func MustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// BusyboxLayer is Debian's static busybox with every applet it lists as a
// link, the few directories a container expects, and the given
// /etc/passwd and /etc/group.
func BusyboxLayer(t *testing.T, passwd, group string) []Entry {
	t.Helper()
	data, err := os.ReadFile(testutil.BusyboxPath)
	if err != nil {
		t.Fatal(err)
	}
	list, err := exec.Command(testutil.BusyboxPath, "--list").Output()
	if err != nil {
		t.Fatalf("busybox --list: %v", err)
	}
	entries := []Entry{
		{Name: "bin/", Mode: 0o755, Typeflag: tar.TypeDir},
		{Name: "dev/", Mode: 0o755, Typeflag: tar.TypeDir},
		{Name: "etc/", Mode: 0o755, Typeflag: tar.TypeDir},
		{Name: "proc/", Mode: 0o755, Typeflag: tar.TypeDir},
		{Name: "root/", Mode: 0o700, Typeflag: tar.TypeDir},
		{Name: "sys/", Mode: 0o755, Typeflag: tar.TypeDir},
		{Name: "tmp/", Mode: 0o1777, Typeflag: tar.TypeDir},
		{Name: "bin/busybox", Mode: 0o755, Typeflag: tar.TypeReg, Data: data},
		{Name: "etc/passwd", Mode: 0o644, Typeflag: tar.TypeReg, Data: []byte(passwd)},
		{Name: "etc/group", Mode: 0o644, Typeflag: tar.TypeReg, Data: []byte(group)},
	}
	for _, a := range strings.Fields(string(list)) {
		// The list names busybox itself: a link there would replace the binary.
		if a == "busybox" || strings.Contains(a, "/") {
			continue
		}
		entries = append(entries, Entry{Name: "bin/" + a, Mode: 0o777, Typeflag: tar.TypeSymlink, Linkname: "busybox"})
	}
	return entries
}

// Option adds to the image's config what the OCI image spec has no
// field for but Docker's images carry.
type Option func(config map[string]any)

// WithHealthcheck gives the image Docker's HEALTHCHECK.
func WithHealthcheck(test []string, interval time.Duration, retries int) Option {
	return func(config map[string]any) {
		config["Healthcheck"] = map[string]any{"Test": test, "Interval": interval, "Retries": retries}
	}
}
