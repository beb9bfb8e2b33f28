package learnverb

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/runrequest"
)

// Usage errors are ward's own failures (125) and leave nothing behind:
// they are refused before an engine is opened.
func TestRunRefusesBadUsage(t *testing.T) {
	root := t.TempDir()
	l := rootdir.Layout(filepath.Join(root, "ward"))
	never := func(string) bool { return false }
	cases := []struct {
		name string
		f    runrequest.Flags
		o    Options
		args []string
		want string
	}{
		{"no image", runrequest.Flags{}, Options{Output: "p.json"}, nil, "name an image"},
		{"neither -o nor --verify", runrequest.Flags{}, Options{}, []string{"busybox"}, "-o PROFILE"},
		{"both -o and --verify", runrequest.Flags{}, Options{Output: "a", Verify: "b"}, []string{"busybox"}, "-o PROFILE"},
		{"detached", runrequest.Flags{Detach: true}, Options{Output: "p.json"}, []string{"busybox"}, "-d is not supported"},
		{"with a profile", runrequest.Flags{Profile: "x.json"}, Options{Output: "p.json"}, []string{"busybox"}, "--profile is not supported"},
	}
	for _, c := range cases {
		err := Run(l, &c.f, never, c.o, c.args, &bytes.Buffer{})
		var st *exitstatus.Error
		if !errors.As(err, &st) || st.Code != 125 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want exit 125 naming %q", c.name, err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "ward")); !os.IsNotExist(err) {
		t.Errorf("a refused learn made %s (%v)", filepath.Join(root, "ward"), err)
	}
}

func TestConvertRefusals(t *testing.T) {
	var out bytes.Buffer
	if err := Convert(&out, "p.json", "flags", "", []string{"busybox"}); err == nil || !strings.Contains(err.Error(), "runs nothing") {
		t.Errorf("convert with arguments: %v", err)
	}
	if err := Convert(&out, filepath.Join(t.TempDir(), "missing.json"), "flags", "", nil); err == nil {
		t.Error("convert of a missing profile: no error")
	}
	if out.Len() != 0 {
		t.Errorf("a refused convert printed %q", out.String())
	}
}
