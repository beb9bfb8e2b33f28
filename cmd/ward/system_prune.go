package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/engineconfig"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/prune"
)

// newSystemPruneCommand is `ward system prune`.
func newSystemPruneCommand() *cobra.Command {
	var force bool
	p := &cobra.Command{
		Use:   "prune [-f]",
		Short: "Remove stopped containers and what killed ward processes left behind",
		Long: `Remove stopped containers and what killed ward processes left behind:
records of containers whose supervisor died, container directories without
a record, snapshots still mounted, runtime state of a create that never
finished, network namespaces, cgroups holding processes nobody waits for,
observers (ward-observe) of containers that are gone, and image blobs no
image uses. Running containers are not touched, nor
anything under another ward root.`,
		Args: cobra.NoArgs,
		RunE: containerRunE(func(cmd *cobra.Command, _ []string) error {
			if !force && !confirm(cmd.InOrStdin(), `WARNING! This will remove:
  - all stopped containers
  - what killed ward processes left behind (container state, cgroups, mounts, unused image blobs)`) {
				return nil
			}
			rt, err := engineconfig.Runtime("")
			if err != nil {
				return err
			}
			e, err := open.Engine(cli.Layout(), rt)
			if err != nil {
				return err
			}
			rep := prune.Run(e)
			out := cmd.OutOrStdout()
			list := func(title string, items []string) {
				if len(items) == 0 {
					return
				}
				fmt.Fprintln(out, title)
				for _, it := range items {
					fmt.Fprintln(out, it)
				}
				fmt.Fprintln(out)
			}
			list("Deleted Containers:", rep.Containers)
			list("Deleted leftovers of containers without a record:", rep.Orphans)
			list("Deleted cgroups:", rep.Cgroups)
			if len(rep.Killed) > 0 {
				fmt.Fprintf(out, "Killed processes left in them: %v\n\n", rep.Killed)
			}
			list("Stopped observers (ward-observe) of containers gone:", rep.Observers)
			list("Unmounted:", rep.Mounts)
			list("Freed user namespace id ranges of:", rep.IDRanges)
			if rep.Empty() {
				fmt.Fprintln(out, "Nothing to prune")
			}
			return errors.Join(rep.Errors...)
		}),
	}
	p.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	return p
}

// removeOrphan removes the traces of a container ID that has no record
// (what `ward system prune` would remove for it), reporting whether what
// named such an ID.
func removeOrphan(what string) (bool, error) {
	if len(what) != 64 || strings.Trim(what, "0123456789abcdef") != "" {
		return false, nil
	}
	rt, err := engineconfig.Runtime("")
	if err != nil {
		return false, nil
	}
	e, err := open.Engine(cli.Layout(), rt)
	if err != nil {
		return false, nil
	}
	if _, err := e.Records.Load(what); err == nil {
		return false, nil // a container: rm proper
	}
	ids, err := e.TraceIDs()
	if err != nil {
		return false, nil
	}
	for _, id := range ids {
		if id == what {
			return true, e.RemoveTraces(id)
		}
	}
	return false, nil
}
