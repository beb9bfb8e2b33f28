package check

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/rootdir"
)

func TestRunExitStatuses(t *testing.T) {
	root := rootdir.Layout(t.TempDir())
	dir := t.TempDir()
	dockerfile := filepath.Join(dir, "Dockerfile")
	// No USER: the container runs as root, a finding of ward check.
	if err := os.WriteFile(dockerfile, []byte("FROM debian:12@sha256:"+strings.Repeat("a", 64)+"\nCMD [\"true\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := Options{Format: "text", Color: "never", Config: "", ImageSrc: ""}
	for _, tc := range []struct {
		name   string
		args   []string
		edit   func(*Options)
		status int // 0: no error
		stdout string
	}{
		{"findings, no --fail-on", []string{dockerfile}, nil, 0, "Dockerfile"},
		{"findings reach --fail-on", []string{dockerfile}, func(o *Options) { o.FailOn = "low" }, 1, "Dockerfile"},
		{"unknown format", []string{dockerfile}, func(o *Options) { o.Format = "yaml" }, 2, ""},
		{"unknown colour", []string{dockerfile}, func(o *Options) { o.Color = "sometimes" }, 2, ""},
		{"bad --image-src", []string{dockerfile}, func(o *Options) { o.ImageSrc = "elsewhere" }, 2, ""},
		{"bad --fail-on", []string{dockerfile}, func(o *Options) { o.FailOn = "severe" }, 2, ""},
		{"nothing to check", []string{t.TempDir()}, nil, 2, ""},
		{"a name neither file nor stored image", []string{"nothere:1"}, nil, 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			if tc.edit != nil {
				tc.edit(&o)
			}
			var stdout, stderr bytes.Buffer
			err := Run(root, &stdout, &stderr, tc.args, o)
			switch {
			case tc.status == 0 && err != nil:
				t.Fatalf("Run: %v", err)
			case tc.status != 0 && (err == nil || cli.ExitCode(err) != tc.status):
				t.Fatalf("Run = %v (status %d), want status %d", err, cli.ExitCode(err), tc.status)
			}
			if !strings.Contains(stdout.String(), tc.stdout) || (tc.stdout == "" && stdout.Len() != 0) {
				t.Errorf("stdout %q, want it to hold %q", stdout.String(), tc.stdout)
			}
		})
	}
	// Checking images creates no image store where there was none.
	if _, err := os.Stat(root.Images()); !os.IsNotExist(err) {
		t.Errorf("check made an image store: %v", err)
	}
}
