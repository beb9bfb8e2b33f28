package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/cp"
	"github.com/wardproject/ward/internal/open"
)

func newCpCommand() *cobra.Command {
	var o cp.Options
	cmd := &cobra.Command{
		Use:   "cp [-a] [-L] CONTAINER:SRC_PATH DEST_PATH|-\n  ward cp [-a] [-L] SRC_PATH|- CONTAINER:DEST_PATH",
		Short: "Copy files between a container and the host; container paths resolve inside its root",
		Long: `Copy files between a container (running or stopped) and the host, as docker cp.
Paths in the container are resolved inside its root: a symlink there, absolute
or climbing with "..", never names a host file. A symlink given as the source
in the container is copied as what it names there (Docker copies the link).
"-" reads or writes a tar stream; -a keeps owners, -L follows a host source link.`,
		Args: cobra.ExactArgs(2),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			req, err := cp.ParseRequest(args[0], args[1])
			if err != nil {
				return err
			}
			name := req.Container
			e, c, err := open.Container(cli.Layout(), name)
			if err != nil {
				return err
			}
			dir, err := e.FilesRoot(c)
			if err != nil {
				return err
			}
			if o.IDs, err = e.FilesIDs(c); err != nil {
				return err
			}
			root, err := cp.OpenRoot(dir)
			if err != nil {
				return err
			}
			defer root.Close()
			err = req.Run(root, o, os.Stdin, os.Stdout)
			if err != nil {
				return fmt.Errorf("container %s: %w", name, err)
			}
			return nil
		}),
	}
	cmd.Flags().BoolVarP(&o.Archive, "archive", "a", false, "keep owners (uid and gid) in the container")
	cmd.Flags().BoolVarP(&o.FollowLink, "follow-link", "L", false, "follow a symlink given as the host source")
	return cmd
}
