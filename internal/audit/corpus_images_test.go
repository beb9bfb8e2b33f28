package audit_test

import (
	"archive/tar"
	"bytes"
	"flag"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/wardproject/ward/internal/imageworkload"
	"github.com/wardproject/ward/internal/workload"
)

var updateImages = flag.Bool("update-images", false, "rewrite the image archives of the corpus (testdata/corpus/image)")

// corpusImage is one image fixture: its layers (path -> mode, content),
// config, the reference it is saved under, and whether it is written as an
// OCI layout archive rather than docker-save.
type corpusImage struct {
	file   string
	ref    string
	oci    bool
	config v1.Config
	layers []map[string]imageFile
}

type imageFile struct {
	mode fs.FileMode // permission and setuid/setgid bits
	data string
}

// The traps: an image without USER runs as root; USER 0 and root are root;
// Debian's os-release with no package manager is distroless, not a full
// distribution; a whiteout removes a lower layer's setuid file and sudo;
// HEALTHCHECK NONE is no health check; the OCI archive's name comes from
// its index annotation.
var corpusImages = []corpusImage{
	{file: "root-debian.tar", ref: "debian-app:latest",
		config: v1.Config{Env: []string{"PATH=/usr/local/bin:/usr/bin", "DB_PASSWORD=hunter2hunter2"}, ExposedPorts: map[string]struct{}{"22/tcp": {}, "8080/tcp": {}}},
		layers: []map[string]imageFile{{
			"etc/os-release":  {0o644, "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n"},
			"usr/bin/apt-get": {0o755, "x"},
			"usr/bin/passwd":  {0o4755, "x"},
			"usr/bin/sudo":    {0o4755, "x"},
			"usr/bin/chage":   {0o2755, "x"},
			"usr/sbin/sshd":   {0o755, "x"},
		}}},
	{file: "distroless-nonroot.tar", ref: "gcr.io/distroless/static:nonroot",
		config: v1.Config{User: "65532:65532", Healthcheck: &v1.HealthConfig{Test: []string{"CMD", "/app", "health"}}},
		layers: []map[string]imageFile{{
			"etc/os-release": {0o644, "PRETTY_NAME=\"Distroless\"\nID=debian\nVERSION_ID=\"12\"\n"},
			"app":            {0o755, "x"},
		}}},
	{file: "whiteout-root.tar", ref: "registry.example.com/tool:2.1",
		config: v1.Config{User: "0", Healthcheck: &v1.HealthConfig{Test: []string{"NONE"}}},
		layers: []map[string]imageFile{
			{"usr/bin/newgrp": {0o4755, "x"}, "usr/bin/sudo": {0o4755, "x"}, "usr/bin/tool": {0o755, "x"}},
			{"usr/bin/.wh.newgrp": {0o644, ""}, "usr/bin/.wh.sudo": {0o644, ""}},
		}},
	{file: "oci-alpine.tar", ref: "registry.example.com/svc:3", oci: true,
		config: v1.Config{User: "root", Healthcheck: &v1.HealthConfig{Test: []string{"CMD-SHELL", "wget -q -O- localhost:8080/health"}}},
		layers: []map[string]imageFile{{
			"etc/os-release": {0o644, "ID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME=\"Alpine Linux v3.20\"\n"},
			"sbin/apk":       {0o755, "x"},
		}}},
}

func fixtureLayer(t *testing.T, files map[string]imageFile) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, p := range slices.Sorted(maps.Keys(files)) {
		f := files[p]
		mode := int64(f.mode.Perm())
		if f.mode&0o4000 != 0 || f.mode&0o2000 != 0 {
			mode = int64(f.mode) // the literal carries c_ISUID/c_ISGID as tar wants them
		}
		if err := tw.WriteHeader(&tar.Header{Name: p, Mode: mode, Size: int64(len(f.data)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, f.data)
	}
	tw.Close()
	data := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// writeCorpusImage writes one fixture's archive.
func writeCorpusImage(t *testing.T, ci corpusImage, path string) {
	t.Helper()
	var layers []v1.Layer
	for _, files := range ci.layers {
		layers = append(layers, fixtureLayer(t, files))
	}
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.Config, cf.OS, cf.Architecture = ci.config, "linux", "amd64"
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	if !ci.oci {
		ref, err := name.NewTag(ci.ref)
		if err != nil {
			t.Fatal(err)
		}
		if err := tarball.WriteToFile(path, ref, img); err != nil {
			t.Fatal(err)
		}
		return
	}
	dir := t.TempDir()
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(img, layout.WithAnnotations(map[string]string{"io.containerd.image.name": ci.ref})); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if err := tw.WriteHeader(&tar.Header{Name: rel, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	tw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// corpusImageInputs reads the corpus's image archives as ward check does
// (no vulnerability database: image-scan is measured in cmd/ward's tests),
// writing them first when -update-images is given.
func corpusImageInputs(t *testing.T) []workload.Input {
	t.Helper()
	dir := filepath.Join(corpusDir, "image")
	if *updateImages {
		os.MkdirAll(dir, 0o755)
		for _, ci := range corpusImages {
			writeCorpusImage(t, ci, filepath.Join(dir, ci.file))
		}
	}
	var out []workload.Input
	for _, ci := range corpusImages {
		path := filepath.Join(dir, ci.file)
		if !imageworkload.IsArchive(path) {
			t.Fatalf("%s is not recognised as an image archive (run go test ./internal/audit -update-images)", path)
		}
		img, err := imageworkload.FromArchive(path)
		if err != nil {
			t.Fatal(err)
		}
		w, err := imageworkload.Read(img, nil)
		img.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(w.Image, ci.ref[strings.LastIndex(ci.ref, "/")+1:]) {
			t.Errorf("%s: image named %q, want %q", ci.file, w.Image, ci.ref)
		}
		out = append(out, workload.Input{File: path, Kind: workload.KindImage, Workloads: []workload.Workload{w}})
	}
	return out
}
