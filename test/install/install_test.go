// Package install tests `make install`: what a packager or a user
// installing from source gets.
package install

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMakeInstall installs into a temporary PREFIX and runs the
// installed ward from there; every binary ward ships, the man pages and
// the bash completion must be in place.
func TestMakeInstall(t *testing.T) {
	for _, tool := range []string{"make", "go", "install"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	prefix := filepath.Join(tmp, "prefix")
	build := filepath.Join(tmp, "build")
	cmd := exec.Command("make", "-C", repo, "install", "PREFIX="+prefix, "BIN="+build, "VERSION=v0.0.0-installtest")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}

	for _, b := range []string{"ward", "ward-runtime", "ward-monitor", "ward-observe", "ward-audit", "ward-trust"} {
		fi, err := os.Stat(filepath.Join(prefix, "bin", b))
		if err != nil {
			t.Errorf("%s not installed: %v", b, err)
			continue
		}
		if fi.Mode().Perm() != 0o755 {
			t.Errorf("%s installed with mode %o, want 755", b, fi.Mode().Perm())
		}
	}
	out, err := exec.Command(filepath.Join(prefix, "bin", "ward"), "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "v0.0.0-installtest") {
		t.Errorf("installed ward --version: %v, %q", err, out)
	}
	out, err = exec.Command(filepath.Join(prefix, "bin", "ward-runtime"), "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "v0.0.0-installtest") {
		t.Errorf("installed ward-runtime --version: %v, %q", err, out)
	}

	man := filepath.Join(prefix, "share", "man", "man1")
	for _, page := range []string{"ward.1", "ward-run.1", "ward-container-ls.1", "ward-login.1", "ward-volume-create.1", "ward-runtime.1", "ward-runtime-create.1"} {
		data, err := os.ReadFile(filepath.Join(man, page))
		if err != nil {
			t.Errorf("man page %s: %v", page, err)
			continue
		}
		if !strings.HasPrefix(string(data), ".nh\n.TH ") || !strings.Contains(string(data), "v0.0.0-installtest") {
			t.Errorf("%s is not a man page of this version:\n%.200s", page, data)
		}
	}
	// The run page documents run's own flags.
	if data, _ := os.ReadFile(filepath.Join(man, "ward-run.1")); !strings.Contains(string(data), "cap-drop") {
		t.Error("ward-run.1 does not document --cap-drop")
	}
	if mandb, err := exec.LookPath("man"); err == nil {
		out, err := exec.Command(mandb, "-l", filepath.Join(man, "ward-login.1")).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "password-stdin") {
			t.Errorf("man -l ward-login.1: %v\n%s", err, out)
		}
	}
	comp, err := os.ReadFile(filepath.Join(prefix, "share", "bash-completion", "completions", "ward"))
	if err != nil || !strings.Contains(string(comp), "__start_ward") {
		t.Errorf("bash completion not installed: %v", err)
	}
}
