// Command ward is the container engine people type: images, containers,
// and the built-in checklist (ward check) and scanner (ward sbom, ward scan).
package main

import (
	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/completion"
	"github.com/wardproject/ward/internal/completion/stores"
	"github.com/wardproject/ward/internal/linux/fds"
	"github.com/wardproject/ward/internal/manpages"
	"github.com/wardproject/ward/internal/version"
)

func main() {
	// What the shell or program that started ward left open must not
	// reach the runtime, and through it the container (a runtime that
	// does not close what it inherits would hand a container the host's
	// files). Nothing to do when it fails: ward runs on.
	_ = fds.CloseOnExecFrom(3)
	root := cli.Root("ward", "A least-privilege container engine")
	// Every verb is listed here, so a reader sees what the CLI offers.
	root.AddCommand(
		// The audit verbs run in ward-audit (audit.go says why).
		newAuditCommand("check", "Audit Dockerfiles, compose files, Kubernetes manifests, OCI config.json and inspect output against the checklist"),
		newAuditCommand("sbom", "List the packages installed in a root filesystem or image archive"),
		newAuditCommand("scan", "Report known vulnerabilities of the packages in a root filesystem or image archive"),
		newAuditCommand("db", "Manage the offline vulnerability database (OSV records)"),
		// The trust verbs run in ward-trust (its main.go says why).
		newCompanionCommand("ward-trust", "key", "Manage signing keys (cosign's formats)"),
		newCompanionCommand("ward-trust", "sign", "Sign an image, as cosign does"),
		newCompanionCommand("ward-trust", "verify", "Verify an image's signatures, as cosign does"),
		newNetworkCommand(),
		newVersionCommand(),
		newVolumeCommand(),
		newEventsCommand(),
		newLoginCommand(),
		newLogoutCommand(),
		// Image verbs: at the top, as docker has them, and under `ward image`.
		newImageCommand(),
		newImagesCommand(), newRmiCommand(), newTagCommand(),
		newImportCommand(), newLoadCommand(), newSaveCommand(),
		newPullCommand(), newPushCommand(),
		// Container verbs: at the top and under `ward container` likewise.
		newContainerCommand(),
		newRunCommand(), newCreateCommand(), newPsCommand(), newStartCommand(), newStopCommand(), newRestartCommand(),
		newKillCommand(), newRmCommand(), newLogsCommand(), newExecCommand(),
		newInspectCommand(), newCpCommand(), newLearnCommand(),
		newWaitCommand(), newPortCommand(), newExportCommand(), newTopCommand(), newDiffCommand(),
		newStatsCommand(), newRenameCommand(), newPauseCommand(), newUnpauseCommand(), newCommitCommand(),
		newGenerateCommand(),
		newSystemCommand(),
	)
	// The monitor protocol's internal verbs (hidden; container_monitor.go).
	root.AddCommand(newContainerMonitorCommand(), newContainerStartCommand(), newContainerExitedCommand(), newContainerHealthCommand())
	cli.SetVersion(root, version.Get().String())
	manpages.AddVerb(root, version.Get().Version) // make man's generator (the mangen tag)
	// Completion of container, image, network and volume names; cobra
	// adds the `completion bash|zsh|fish|powershell` command itself.
	src := stores.Sources()
	completion.Install(root, completion.Verbs(), src)
	// Once the flags are declared: run's and create's are deferred (cli.LazyFlags).
	cli.AfterFlags(func() { completion.InstallFlag(root, "network", completion.Network, src, "run", "create") })
	cli.Run(root)
}
