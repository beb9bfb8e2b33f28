// Command ward-audit runs ward's audit verbs: check, sbom, scan and db.
// Users type them as `ward check` and so on: ward execs ward-audit,
// shipped beside it, for these verbs, so that the parsers they link
// (compose files, Kubernetes manifests, JSON schemas, SBOM formats), whose
// package initialization alone takes milliseconds, do not slow every
// `ward run`.
package main

import "github.com/wardproject/ward/internal/cli"

func main() {
	root := cli.Root("ward", "A least-privilege container engine: the audit verbs")
	// The verbs ward passes on, listed as ward's main.go lists its own.
	root.AddCommand(
		cli.InputErrors(newCheckCommand(), 2),
		cli.InputErrors(newSBOMCommand(), 2),
		cli.InputErrors(newScanCommand(), 2),
		cli.InputErrors(newDBCommand(), 2),
		newJudgeCommand(), // ward run --policy, --dry-run
	)
	cli.Run(root)
}
