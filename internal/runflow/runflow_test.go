package runflow

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/runrequest"
)

// Refusals before anything is made exit 125, as docker run's, with one
// line naming the problem, and leave no container record behind. (The
// containers that do run are cmd/ward's tests, through the binary.)
func TestRefusalsExit125(t *testing.T) {
	t.Setenv("WARD_DEFAULT_NETWORK", "none")
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	badConfig := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(badConfig, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		flags   runrequest.Flags
		config  string
		dryRun  bool
		wantMsg string
	}{
		{name: "pull never", flags: runrequest.Flags{Pull: "never"}, wantMsg: "no such image: busybox (--pull never)"},
		{name: "pull sometimes", flags: runrequest.Flags{Pull: "sometimes"}, wantMsg: "invalid pull option"},
		{name: "missing env file", flags: runrequest.Flags{Pull: "never", EnvFiles: []string{"/nonexistent/env"}}, wantMsg: "--env-file: "},
		{name: "config unreadable", flags: runrequest.Flags{Pull: "never"}, config: badConfig, wantMsg: "bad.json"},
		{name: "dry-run, config unreadable", flags: runrequest.Flags{Pull: "never"}, config: badConfig, dryRun: true, wantMsg: "bad.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.config != "" {
				t.Setenv("WARD_CONFIG", tc.config)
			}
			l := rootdir.Layout(t.TempDir())
			f := tc.flags
			f.Policy.DryRun = tc.dryRun
			var stdout, stderr bytes.Buffer
			c := Command{Flags: &f, Args: []string{"busybox", "true"}, Changed: func(string) bool { return false }, Stdout: &stdout, Stderr: &stderr}
			err := Run(context.Background(), l, c)
			var ee *exitstatus.Error
			if !errors.As(err, &ee) || ee.Code != 125 || !strings.Contains(err.Error(), tc.wantMsg) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Run: %v, want one line, status 125, naming %q", err, tc.wantMsg)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
			// No record: at most the empty store of records.
			entries, _ := os.ReadDir(l.Containers())
			var left []string
			for _, e := range entries {
				left = append(left, e.Name())
			}
			if len(left) > 0 && !slices.Equal(left, []string{"records.db"}) {
				t.Errorf("left behind in %s: %q", l.Containers(), left)
			}
		})
	}
}
