package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/detach"
	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/engineconfig"
	"github.com/wardproject/ward/internal/open"
)

// newSystemBootCommand is `ward system boot`.
func newSystemBootCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "boot",
		Short: "After a reboot, start the containers whose restart policy says so",
		Args:  cobra.NoArgs,
		RunE: cli.ExitOne(func(_ *cobra.Command, _ []string) error {
			rt, err := engineconfig.Runtime("")
			if err != nil {
				return err
			}
			e, err := open.Engine(cli.Layout(), rt)
			if err != nil {
				return err
			}
			list, err := e.Boot(context.Background())
			if err != nil {
				return err
			}
			var errs []error
			for _, c := range list {
				if err := e.EnsureMounted(c); err != nil {
					errs = append(errs, err)
					continue
				}
				if err := detach.StartMonitor(cli.Layout(), c, e.RuntimePath); err != nil {
					errs = append(errs, fmt.Errorf("container %s: %w", c.ShortName(), err))
					continue
				}
				fmt.Println(c.ShortName())
			}
			return errors.Join(errs...)
		}),
	}
}

// newGenerateCommand is `ward generate systemd`.
func newGenerateCommand() *cobra.Command {
	var unitDir string
	unit := &cobra.Command{
		Use:   "systemd CONTAINER",
		Short: "Write a systemd unit that starts and stops a container",
		Args:  cobra.ExactArgs(1),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			_, c, err := open.Container(cli.Layout(), args[0])
			if err != nil {
				return err
			}
			self, err := os.Executable()
			if err != nil {
				return err
			}
			root, err := filepath.Abs(cli.WardRoot())
			if err != nil {
				return err
			}
			text := engine.SystemdUnit(c, self, root)
			if unitDir == "" {
				fmt.Print(text)
				return nil
			}
			path := filepath.Join(unitDir, "container-"+c.ShortName()+".service")
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				return err
			}
			fmt.Println(path)
			return nil
		}),
	}
	unit.Flags().StringVar(&unitDir, "files", "", "write the unit into this directory instead of printing it")
	generate := &cobra.Command{Use: "generate", Short: "Generate files for other tools"}
	generate.AddCommand(unit)
	return generate
}
