package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/filter"
	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/open"
)

// newImagePruneCommand is `ward image prune`: dangling images (no tag),
// or with -a every image no container uses.
func newImagePruneCommand() *cobra.Command {
	var force, all bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "prune [-a] [-f] [--filter label=...|until=...]",
		Short: "Remove dangling images, or with -a every image no container uses",
		Args:  cobra.NoArgs,
		RunE: imageRunE(func(cmd *cobra.Command, _ []string) error {
			args, err := filter.Parse(filters, "label", "label!", "until")
			if err != nil {
				return err
			}
			var until time.Time
			for _, u := range args["until"] {
				if until, err = parseUntil(u); err != nil {
					return err
				}
			}
			warning := "WARNING! This will remove all dangling images."
			if all {
				warning = "WARNING! This will remove all images without at least one container associated to them."
			}
			if !force && !confirm(cmd.InOrStdin(), warning) {
				return nil
			}
			s, err := open.Images(cli.Layout())
			if err != nil {
				return err
			}
			imgs, err := s.List()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			var reclaimed int64
			var lines []string
			var errs []error
			seen := map[string]bool{}
			for _, img := range imgs {
				if seen[img.ID.String()] || (!all && len(img.RepoTags) > 0) || (!until.IsZero() && !img.Created.Before(until)) {
					continue
				}
				seen[img.ID.String()] = true
				if args.Has("label") || args.Has("label!") {
					cfg, err := s.ConfigFile(img)
					if err != nil || !args.Labels("label", cfg.Config.Labels) || !notLabels(args["label!"], cfg.Config.Labels) {
						continue
					}
				}
				if err := s.Delete(img.ID); err != nil {
					if !errors.Is(err, store.ErrInUse) && !errors.Is(err, store.ErrConflict) { // in use: kept
						errs = append(errs, err)
					}
					continue
				}
				for _, t := range append(img.RepoTags, img.RepoDigests...) {
					lines = append(lines, "untagged: "+image.Familiar(t))
				}
				lines = append(lines, "deleted: "+img.ID.String())
				reclaimed += img.Size
			}
			if len(lines) > 0 {
				fmt.Fprintln(out, "Deleted Images:")
				for _, l := range lines {
					fmt.Fprintln(out, l)
				}
				fmt.Fprintln(out)
				if err := pruneLayers(s); err != nil {
					errs = append(errs, err)
				}
			}
			fmt.Fprintf(out, "Total reclaimed space: %s\n", units.HumanSize(float64(reclaimed)))
			return errors.Join(errs...)
		}),
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove every image no container uses, not just dangling ones")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "filter: label=KEY[=VALUE], label!=..., until=TIMESTAMP|DURATION")
	return cmd
}
