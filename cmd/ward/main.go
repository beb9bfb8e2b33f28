// Command ward is the container engine people type: images, containers,
// and the built-in checklist (ward check) and scanner (ward sbom, ward scan).
package main

import (
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
)

// rootHooks add what a build tag brings (manpages.go: make man's
// generator verb).
var rootHooks []func(root *cobra.Command)

func main() {
	closeOnExecInherited()
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
	)
	setVersionFlag(root)
	root.AddCommand(newImageCommands()...)
	root.AddCommand(newContainerCommands()...)
	root.AddCommand(newSystemCommand())
	installCompletion(root)
	for _, hook := range rootHooks {
		hook(root)
	}
	cli.Run(root)
}
