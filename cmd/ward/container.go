package main

import (
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
)

// newContainerCommand is `ward container`, grouping the container verbs
// as docker does (main.go lists them at the top too).
func newContainerCommand() *cobra.Command {
	group := &cobra.Command{Use: "container", Short: "Manage containers"}
	group.AddCommand(
		newRunCommand(), newCreateCommand(), newPsCommand(), newStartCommand(), newStopCommand(), newRestartCommand(),
		newKillCommand(), newRmCommand(), newLogsCommand(), newExecCommand(),
		newInspectCommand(), newCpCommand(), newLearnCommand(),
		cli.Renamed(newPsCommand(), "ls", "list"),
		newWaitCommand(), newPortCommand(), newExportCommand(), newTopCommand(), newDiffCommand(),
		newStatsCommand(), newRenameCommand(), newPauseCommand(), newUnpauseCommand(), newCommitCommand(),
		newContainerPruneCommand(),
	)
	return group
}
