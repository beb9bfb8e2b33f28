package ociruntime

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/testutil"
)

// TestForeground: `run` in the foreground passes on the container's exit
// status, writes the pid file, and leaves no state behind; a container
// that cannot start is the runtime's *Error, with its message, which
// ExitStatus maps as Docker does. Against ward-runtime and runc.
func TestForeground(t *testing.T) {
	forEachRuntime(t, func(t *testing.T, r *Runtime) {
		ctx := testContext(t)
		for _, tc := range []struct {
			name     string
			args     []string
			status   int
			exitCode int // ExitStatus of the error, when the runtime fails
		}{
			{"exit status", []string{"sh", "-c", "echo out; exit 3"}, 3, 0},
			{"success", []string{"true"}, 0, 0},
			{"command not found", []string{"/no/such/command"}, 0, 127},
		} {
			t.Run(tc.name, func(t *testing.T) {
				bundle := testutil.Bundle(t, tc.args, nil)
				id := "fg-" + strings.ReplaceAll(tc.name, " ", "-") + "-" + filepath.Base(r.Path)
				cleanupContainer(t, r, id)
				dir := t.TempDir()
				pidFile := filepath.Join(dir, "init.pid")
				out, err := os.Create(filepath.Join(dir, "out"))
				if err != nil {
					t.Fatal(err)
				}
				defer out.Close()
				fg, err := r.StartForeground(ctx, id, bundle, CreateOpts{PidFile: pidFile, Stdio: Stdio{Stdout: out, Stderr: out}})
				if err != nil {
					t.Fatal(err)
				}
				status, err := fg.Wait()
				select {
				case <-fg.Exited():
				default:
					t.Error("Exited is open after Wait")
				}
				if tc.exitCode != 0 {
					var rerr *Error
					if !errors.As(err, &rerr) || ExitStatus(err) != tc.exitCode {
						t.Fatalf("Wait = %d, %v; want an *Error with exit status %d", status, err, tc.exitCode)
					}
					return
				}
				if err != nil || status != tc.status {
					t.Fatalf("Wait = %d, %v; want %d", status, err, tc.status)
				}
				if data, err := os.ReadFile(pidFile); err != nil {
					t.Errorf("no pid file: %v", err)
				} else if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err != nil || pid <= 0 {
					t.Errorf("pid file holds %q", data)
				}
				if _, err := r.State(ctx, id); !errors.Is(err, ErrNotFound) {
					t.Errorf("state after the foreground run: %v, want ErrNotFound", err)
				}
				if tc.status == 3 {
					if data, _ := os.ReadFile(out.Name()); string(data) != "out\n" {
						t.Errorf("output %q", data)
					}
				}
			})
		}
	})
}
