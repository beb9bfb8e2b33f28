package open

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
)

// Each goes on past containers it cannot find, printing nothing for
// them and returning one error per name.
func TestEachGoesOn(t *testing.T) {
	l := rootdir.Layout(filepath.Join(t.TempDir(), "root"))
	var out strings.Builder
	called := 0
	err := Each(l, []string{"one", "two"}, &out, func(*engine.Engine, *record.Container) error {
		called++
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "one") || !strings.Contains(err.Error(), "two") {
		t.Errorf("error %v, want one naming both", err)
	}
	if called != 0 || out.String() != "" {
		t.Errorf("fn called %d times, printed %q", called, out.String())
	}
}
