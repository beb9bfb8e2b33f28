package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadRefusesHostileLayer is issue 12's fifth case from the command
// line: `ward load` of an archive whose layer climbs out with ../ exits 1,
// as docker load does, with one line naming the entry, and the image is
// not listed.
func TestLoadRefusesHostileLayer(t *testing.T) {
	mk := func(files ...any) []byte {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for i := 0; i < len(files); i += 2 {
			data := files[i+1].([]byte)
			tw.WriteHeader(&tar.Header{Name: files[i].(string), Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data))})
			tw.Write(data)
		}
		tw.Close()
		return buf.Bytes()
	}
	layer := mk("ok", []byte("x"), "../../etc/cron.d/ward", []byte("* * * * * root true\n"))
	cfg, _ := json.Marshal(map[string]any{"architecture": "amd64", "os": "linux",
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{fmt.Sprintf("sha256:%x", sha256.Sum256(layer))}}})
	manifest, _ := json.Marshal([]map[string]any{{"Config": "config.json", "RepoTags": []string{"hostile:v1"}, "Layers": []string{"layer.tar"}}})
	dir := t.TempDir()
	archive := filepath.Join(dir, "hostile.tar")
	if err := os.WriteFile(archive, mk("layer.tar", layer, "config.json", cfg, "manifest.json", manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	w := &wardEnv{bin: filepath.Join(sharedBinaries(t), "ward"), root: filepath.Join(dir, "root")}
	_, errOut, code := w.run(t, nil, "load", "-i", archive)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if lines := strings.Split(strings.TrimSpace(errOut), "\n"); len(lines) != 1 || !strings.Contains(errOut, `"../../etc/cron.d/ward"`) {
		t.Errorf("stderr %q, want one line naming the entry", errOut)
	}
	if out := w.must(t, "images", "-q"); strings.TrimSpace(out) != "" {
		t.Errorf("ward images lists %q after the refused load", out)
	}
	blobs, _ := os.ReadDir(filepath.Join(w.root, "images", "blobs", "sha256"))
	if len(blobs) != 0 {
		t.Errorf("%d blobs stored after the refused load", len(blobs))
	}
}
