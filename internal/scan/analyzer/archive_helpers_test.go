package analyzer

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// tfile is one entry of a test tar: a regular file unless link is set.
type tfile struct {
	name    string
	body    []byte
	mode    int64
	symlink string
}

func makeTar(t testing.TB, files []tfile) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		hdr := &tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.body)), Typeflag: tar.TypeReg}
		if hdr.Mode == 0 {
			hdr.Mode = 0o644
		}
		if f.symlink != "" {
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeSymlink, f.symlink, 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if f.symlink == "" {
			if _, err := tw.Write(f.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipBytes(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

func mustJSON(t testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeDockerArchive writes a docker-save archive of layers (uncompressed
// tars, lowest first) and returns its path and the layers' diff IDs.
func writeDockerArchive(t testing.TB, layers [][]byte) (string, []string) {
	var diffIDs []string
	var outer []tfile
	var layerPaths []string
	for _, l := range layers {
		id := sha(l)
		diffIDs = append(diffIDs, id)
		p := "blobs/sha256/" + id[len("sha256:"):]
		layerPaths = append(layerPaths, p)
		outer = append(outer, tfile{name: p, body: l})
	}
	cfg := mustJSON(t, map[string]any{"rootfs": map[string]any{"type": "layers", "diff_ids": diffIDs}})
	cfgPath := "blobs/sha256/" + sha(cfg)[len("sha256:"):]
	outer = append(outer, tfile{name: cfgPath, body: cfg})
	outer = append(outer, tfile{name: "manifest.json", body: mustJSON(t, []any{map[string]any{
		"Config": cfgPath, "RepoTags": []string{"test:latest"}, "Layers": layerPaths,
	}})})
	return writeFile(t, "docker.tar", makeTar(t, outer)), diffIDs
}

// writeOCIArchive writes an OCI image layout archive with gzip layers.
func writeOCIArchive(t testing.TB, layers [][]byte) (string, []string) {
	var diffIDs []string
	var outer []tfile
	var descs []map[string]any
	for _, l := range layers {
		diffIDs = append(diffIDs, sha(l))
		z := gzipBytes(t, l)
		d := sha(z)
		outer = append(outer, tfile{name: "blobs/sha256/" + d[7:], body: z})
		descs = append(descs, map[string]any{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": len(z)})
	}
	cfg := mustJSON(t, map[string]any{"rootfs": map[string]any{"type": "layers", "diff_ids": diffIDs}})
	outer = append(outer, tfile{name: "blobs/sha256/" + sha(cfg)[7:], body: cfg})
	man := mustJSON(t, map[string]any{
		"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(cfg), "size": len(cfg)},
		"layers": descs,
	})
	outer = append(outer, tfile{name: "blobs/sha256/" + sha(man)[7:], body: man})
	outer = append(outer, tfile{name: "oci-layout", body: []byte(`{"imageLayoutVersion":"1.0.0"}`)})
	outer = append(outer, tfile{name: "index.json", body: mustJSON(t, map[string]any{
		"schemaVersion": 2,
		"manifests":     []any{map[string]any{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(man), "size": len(man)}},
	})})
	return writeFile(t, "oci.tar", makeTar(t, outer)), diffIDs
}

func writeFile(t testing.TB, name string, b []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readTestdata(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
