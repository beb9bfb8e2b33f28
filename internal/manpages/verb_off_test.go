//go:build !mangen

package manpages

import (
	"testing"

	"github.com/spf13/cobra"
)

// TestNoVerbWithoutTag: the shipped binaries have no __man verb.
func TestNoVerbWithoutTag(t *testing.T) {
	root := &cobra.Command{Use: "ward-runtime"}
	AddVerb(root, "1.0")
	if len(root.Commands()) != 0 {
		t.Errorf("AddVerb added %d commands without the mangen tag", len(root.Commands()))
	}
}
