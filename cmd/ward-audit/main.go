// Command ward-audit runs ward's audit verbs: check, sbom, scan and db.
// Users type them as `ward check` and so on: ward execs ward-audit,
// shipped beside it, for these verbs, so that the parsers they link
// (compose files, Kubernetes manifests, JSON schemas, SBOM formats), whose
// package initialization alone takes milliseconds, do not slow every
// `ward run`.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	root := &cobra.Command{
		Use:           "ward",
		Short:         "A least-privilege container engine: the audit verbs",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	var rootDir string
	root.PersistentFlags().StringVar(&rootDir, "root", "", "directory of everything ward keeps (default $WARD_ROOT, else /var/lib/ward)")
	root.PersistentPreRun = func(*cobra.Command, []string) {
		if rootDir != "" {
			os.Setenv("WARD_ROOT", rootDir)
		}
	}
	// The verbs ward passes on, listed as ward's main.go lists its own.
	root.AddCommand(
		newCheckCommand(),
		newSBOMCommand(),
		newScanCommand(),
		newDBCommand(),
		newJudgeCommand(), // ward run --policy, --dry-run
	)
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "ward: "+err.Error())
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
