//go:build mangen

package manpages

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"
)

// TestVerbWritesPages: a mangen build's __man DIR writes a page per command.
func TestVerbWritesPages(t *testing.T) {
	root := &cobra.Command{Use: "ward-runtime"}
	root.AddCommand(&cobra.Command{Use: "state ID", Short: "Print a container's state", Run: func(*cobra.Command, []string) {}})
	AddVerb(root, "1.0")
	dir := t.TempDir()
	t.Setenv("SOURCE_DATE_EPOCH", "0")
	root.SetArgs([]string{"__man", dir})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"ward-runtime.1", "ward-runtime-state.1"} {
		if _, err := os.Stat(filepath.Join(dir, page)); err != nil {
			t.Errorf("page %s: %v", page, err)
		}
	}
}
