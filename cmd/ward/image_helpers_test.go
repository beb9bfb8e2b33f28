package main

import (
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/imageview"
)

// inspectedImage is what `ward image inspect` prints, as the tests of
// this package decode it.
type inspectedImage = imageview.Inspected

// newImageCommands are the image verbs as main.go installs them: `ward
// image` and the verbs docker also has at the top, for the tests that
// run image verbs in-process.
func newImageCommands() []*cobra.Command {
	return []*cobra.Command{
		newImageCommand(),
		newImagesCommand(), newRmiCommand(), newTagCommand(),
		newImportCommand(), newLoadCommand(), newSaveCommand(),
		newPullCommand(), newPushCommand(),
	}
}
