//go:build !mangen

package manpages

import "github.com/spf13/cobra"

// AddVerb does nothing in the shipped binaries: the man page generator is
// built only with the mangen tag (make man), see verb.go.
func AddVerb(root *cobra.Command, version string) {}
