package main

import "github.com/spf13/cobra"

// newImageCommands returns the image verbs (import, load, save, pull,
// push, images, rmi, tag, image inspect); placeholder until they land.
func newImageCommands() []*cobra.Command { return nil }
