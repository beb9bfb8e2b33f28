package pullpolicy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wardproject/ward/internal/rootdir"
)

// recorder is a pull that records what it was asked and fails with err;
// TestEnsurePulls pulls for real.
type recorder struct {
	asked []string
	err   error
}

func (r *recorder) pull(_ context.Context, _ rootdir.Layout, what, platform string, progress, status io.Writer) (string, error) {
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
		err := ensure(ctx, l, tc.policy, tc.what, &stderr, r.pull)
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

// TestEnsurePulls: --pull missing pulls an image from a registry on
// loopback into an empty store once, then finds it there; --pull never
// finds it too.
func TestEnsurePulls(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	what := strings.TrimPrefix(srv.URL, "http://") + "/team/box:v1"
	ref, err := name.ParseReference(what)
	if err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	l := rootdir.Layout(t.TempDir())
	var stderr bytes.Buffer
	if err := Ensure(context.Background(), l, "never", what, &stderr); err == nil {
		t.Fatalf("--pull never of an image not in the store: no error")
	}
	if err := Ensure(context.Background(), l, "missing", what, &stderr); err != nil {
		t.Fatalf("--pull missing: %v (stderr %q)", err, stderr.String())
	}
	if got := stderr.String(); !strings.HasPrefix(got, "Unable to find image '"+what+"' locally\n") || !strings.Contains(got, "Status: Downloaded image for "+what) {
		t.Errorf("--pull missing: stderr %q", got)
	}
	stderr.Reset()
	for _, policy := range []string{"missing", "never"} {
		if err := Ensure(context.Background(), l, policy, what, &stderr); err != nil || stderr.Len() != 0 {
			t.Errorf("--pull %s of a stored image: %v, stderr %q; want nothing", policy, err, stderr.String())
		}
	}
}
