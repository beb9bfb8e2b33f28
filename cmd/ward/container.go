package main

import (
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/exitstatus"
)

// newContainerCommands returns the container verbs, and `ward container`
// grouping them as docker does.
func newContainerCommands() []*cobra.Command {
	verbs := func() []*cobra.Command {
		return []*cobra.Command{
			newRunCommand(), newCreateCommand(), newPsCommand(), newStartCommand(), newStopCommand(), newRestartCommand(),
			newKillCommand(), newRmCommand(), newLogsCommand(), newExecCommand(),
			newInspectCommand(), newCpCommand(), newLearnCommand(),
		}
	}
	group := &cobra.Command{Use: "container", Short: "Manage containers"}
	group.AddCommand(verbs()...)
	group.AddCommand(withName(newPsCommand(), "ls", "list"))
	group.AddCommand(newMoreContainerCommands()...)
	group.AddCommand(newContainerPruneCommand())
	return append(append(append(verbs(), newMoreContainerCommands()...), group), newContainerMonitorCommand(), newContainerStartCommand(), newContainerExitedCommand(), newContainerHealthCommand(), newGenerateCommand())
}

// containerRunE makes a verb other than run exit 1, as docker's do,
// unless its error carries a status of its own.
func containerRunE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return exitstatus.Always(1, fn)
}
