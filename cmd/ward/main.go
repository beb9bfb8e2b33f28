// Command ward is the container engine people type: images, containers,
// and the built-in checklist (ward check) and scanner (ward sbom, ward scan).
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	closeOnExecInherited()
	root := &cobra.Command{
		Use:           "ward",
		Short:         "A least-privilege container engine",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	var rootDir string
	root.PersistentFlags().StringVar(&rootDir, "root", "", "directory of everything ward keeps (default $WARD_ROOT, else /var/lib/ward)")
	root.PersistentPreRun = func(*cobra.Command, []string) {
		// The flag wins over the environment; commands read wardRoot().
		if rootDir != "" {
			os.Setenv("WARD_ROOT", rootDir)
		}
	}
	// Every verb is listed here, so a reader sees what the CLI offers.
	root.AddCommand(
		// The audit verbs run in ward-audit (audit.go says why).
		newAuditCommand("check", "Audit Dockerfiles, compose files, Kubernetes manifests, OCI config.json and inspect output against the checklist"),
		newAuditCommand("sbom", "List the packages installed in a root filesystem or image archive"),
		newAuditCommand("scan", "Report known vulnerabilities of the packages in a root filesystem or image archive"),
		newAuditCommand("db", "Manage the offline vulnerability database (OSV records)"),
		newNetworkCommand(),
	)
	root.AddCommand(newImageCommands()...)
	root.AddCommand(newContainerCommands()...)
	if err := root.Execute(); err != nil {
		if msg := err.Error(); msg != "" { // empty: ward-audit said it
			fmt.Fprintln(os.Stderr, "ward: "+msg)
		}
		os.Exit(exitCode(err))
	}
}

// exitCoder lets a command choose its exit status (e.g. `ward check` exits 1
// when it finds something at or above --fail-on).
type exitCoder interface{ ExitCode() int }

func exitCode(err error) int {
	if ec, ok := err.(exitCoder); ok {
		return ec.ExitCode()
	}
	return 125 // like docker: the engine itself failed
}

func errNotYet(verb string) error { return fmt.Errorf("%s: not available in this build", verb) }
