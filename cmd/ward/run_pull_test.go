package main

import (
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
)

// TestRunPulls: ward run pulls a missing image from a registry on
// loopback, as docker run does, and --pull always and never behave as
// Docker's.
func TestRunPulls(t *testing.T) {
	w := newWardEnv(t)
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	ref := strings.TrimPrefix(srv.URL, "http://") + "/team/box:v1"
	w.must(t, "tag", "busybox", ref)
	w.must(t, "push", ref)

	fresh := &wardEnv{bin: w.bin, root: filepath.Join(t.TempDir(), "root")}
	if _, errOut, code := fresh.run(t, nil, "run", "--rm", "--pull", "never", ref, "true"); code != 125 || !strings.Contains(errOut, "no such image") {
		t.Errorf("--pull never of a missing image: exit %d, %q", code, errOut)
	}
	out, errOut, code := fresh.run(t, nil, "run", "--rm", ref, "echo", "hi")
	if code != 0 || out != "hi\n" || !strings.Contains(errOut, "Unable to find image '"+ref+"' locally") || !strings.Contains(errOut, "Status: Downloaded") {
		t.Fatalf("run of a missing image: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// Present now: no pull, unless always.
	if _, errOut, _ := fresh.run(t, nil, "run", "--rm", ref, "true"); errOut != "" {
		t.Errorf("run of a present image printed %q", errOut)
	}
	if _, errOut, code := fresh.run(t, nil, "create", "--pull", "always", ref, "true"); code != 0 || !strings.Contains(errOut, "Status: Downloaded") {
		t.Errorf("create --pull always: exit %d, %q", code, errOut)
	}
	if _, errOut, code := fresh.run(t, nil, "run", "--pull", "sometimes", ref); code != 125 || !strings.Contains(errOut, "invalid pull option") {
		t.Errorf("--pull sometimes: exit %d, %q", code, errOut)
	}
	if _, errOut, code := fresh.run(t, nil, "run", "--rm", strings.TrimSuffix(ref, "v1")+"absent", "true"); code != 125 || strings.Count(errOut, "\n") > 2 || !strings.Contains(errOut, "absent") {
		t.Errorf("run of an image no registry has: exit %d, %q", code, errOut)
	}
	out, _, _ = fresh.run(t, nil, "ps", "-aq")
	for _, id := range strings.Fields(out) {
		fresh.run(t, nil, "rm", "-f", id)
	}
}
