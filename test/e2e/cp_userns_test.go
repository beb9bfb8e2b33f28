package e2e

import (
	"archive/tar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCpUserns: ward cp into a container of --userns auto writes as the
// container's root (its mapped host id), -a maps the source's owners,
// and a tar stream out shows the ids the container sees, as Docker's cp
// under userns-remap.
func TestCpUserns(t *testing.T) {
	e := newEngine(t)
	e.must("run", "-d", "--name", "cpns", "--userns", "auto", "probe:1", "sh", "-c", "touch /tmp/mine; sleep 100")
	defer e.run("rm", "-f", "cpns")
	src := filepath.Join(e.dir, "owned")
	if err := os.WriteFile(src, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(src, 1000, 1001); err != nil {
		t.Fatal(err)
	}
	e.must("cp", src, "cpns:/tmp/as-root")
	e.must("cp", "-a", src, "cpns:/tmp/kept")
	if got := e.must("exec", "cpns", "stat", "-c", "%n %u %g", "/tmp/as-root", "/tmp/kept"); got != "/tmp/as-root 0 0\n/tmp/kept 1000 1001\n" {
		t.Errorf("owners seen inside: %q", got)
	}
	for i := 0; i < 100; i++ { // the container's touch, before its file is streamed
		if _, err := e.run("exec", "cpns", "test", "-e", "/tmp/mine"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	out := e.must("cp", "cpns:/tmp/mine", "-")
	hdr, err := tar.NewReader(strings.NewReader(out)).Next()
	if err != nil || hdr.Uid != 0 || hdr.Gid != 0 {
		t.Errorf("a file the container's root made, streamed out: %+v %v", hdr, err)
	}
}

// TestCommitUserns: the layer ward commit makes of a container in a user
// namespace holds the ids the container saw, not the host's.
func TestCommitUserns(t *testing.T) {
	e := newEngine(t)
	e.must("run", "--name", "cmns", "--userns", "auto", "probe:1", "sh", "-c", "echo x > /rootfile; touch /userfile; chown 1000:1001 /userfile")
	defer e.run("rm", "-f", "cmns")
	e.must("commit", "cmns", "committed:ns")
	defer e.run("rmi", "committed:ns")
	if got := e.must("run", "--rm", "committed:ns", "stat", "-c", "%n %u %g", "/rootfile", "/userfile"); got != "/rootfile 0 0\n/userfile 1000 1001\n" {
		t.Errorf("the committed files' owners, outside a user namespace: %q", got)
	}
}
