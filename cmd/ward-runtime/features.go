package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/container"
	"github.com/wardproject/ward/internal/jsonout"
)

func newFeaturesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "features",
		Short: "Print what this runtime supports, as the runtime-spec features document",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			return jsonout.Write(os.Stdout, container.Features())
		},
	}
}
