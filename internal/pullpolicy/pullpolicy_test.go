package pullpolicy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/rootdir"
)

// recorder is a PullFunc that records what it was asked and fails with
// err; the registry side of a pull is TestRunPulls' (cmd/ward).
type recorder struct {
	asked []string
	err   error
}

func (r *recorder) pull(_ context.Context, what, platform string, progress, status io.Writer) (string, error) {
	r.asked = append(r.asked, what+"@"+platform)
	return what, r.err
}

func TestEnsure(t *testing.T) {
	l := rootdir.Layout(t.TempDir())
	ctx := context.Background()
	for _, tc := range []struct {
		policy, what string
		pullErr      error
		wantPulled   bool
		wantErr      string // "" for none
		wantStderr   string
	}{
		{"sometimes", "busybox", nil, false, `invalid pull option: "sometimes": must be one of "always", "missing" or "never"`, ""},
		{"never", "busybox", nil, false, "no such image: busybox (--pull never)", ""},
		{"missing", "busybox", nil, true, "", "Unable to find image 'busybox:latest' locally\n"},
		{"missing", "registry.test/team/box:v1", errors.New("connection refused"), true, "pull registry.test/team/box:v1: connection refused", "Unable to find image 'registry.test/team/box:v1' locally\n"},
		{"always", "busybox", nil, true, "", ""},
	} {
		var r recorder
		r.err = tc.pullErr
		var stderr bytes.Buffer
		err := Ensure(ctx, l, tc.policy, tc.what, &stderr, r.pull)
		if (err == nil) != (tc.wantErr == "") || err != nil && err.Error() != tc.wantErr {
			t.Errorf("--pull %s %s: error %v, want %q", tc.policy, tc.what, err, tc.wantErr)
		}
		if pulled := len(r.asked) == 1 && r.asked[0] == tc.what+"@"; pulled != tc.wantPulled || len(r.asked) > 1 {
			t.Errorf("--pull %s %s: pulled %q, want a pull: %v", tc.policy, tc.what, r.asked, tc.wantPulled)
		}
		if got := stderr.String(); got != tc.wantStderr {
			t.Errorf("--pull %s %s: stderr %q, want %q", tc.policy, tc.what, got, tc.wantStderr)
		}
	}
	if err := Check("missing"); err != nil || !strings.Contains(Check("").Error(), `""`) {
		t.Errorf("Check: missing %v, empty %v", err, Check(""))
	}
}
