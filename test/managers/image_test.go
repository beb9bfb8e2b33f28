package managers

import (
	"archive/tar"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/wardproject/ward/internal/testutil/imagearchive"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// Image names the tests import. Nothing can be pulled here, so the
// archives are written by the test.
const (
	busyboxImage = "ward.test/busybox:1"
	pauseImage   = "ward.test/pause:1"
)

// busyboxLayer is the busybox layer with root and nobody.
func busyboxLayer(t *testing.T) []imagearchive.Entry {
	return imagearchive.BusyboxLayer(t,
		"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
		"root:x:0:\nnogroup:x:65534:\n")
}

// pauseLayer is a static Go program that waits for a signal and reaps
// children, as kubelet's pause image does.
func pauseLayer(t *testing.T, dir string) []imagearchive.Entry {
	t.Helper()
	out := filepath.Join(dir, "pause")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, ".")
	build.Dir = filepath.Join("testdata", "pause")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build pause: %v\n%s", err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return []imagearchive.Entry{{Name: "pause", Mode: 0o755, Typeflag: tar.TypeReg, Data: data}}
}

// busyboxArchive writes the busybox image archive into dir.
func busyboxArchive(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "busybox.tar")
	imagearchive.Write(t, p, busyboxImage, busyboxLayer(t), v1.ImageConfig{
		Env: []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"},
		Cmd: []string{"sh"},
	})
	return p
}

// pauseArchive writes the pause image archive into dir.
func pauseArchive(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "pause.tar")
	imagearchive.Write(t, p, pauseImage, pauseLayer(t, dir), v1.ImageConfig{
		Entrypoint: []string{"/pause"},
		User:       "65535:65535",
	})
	return p
}
