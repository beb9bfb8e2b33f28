package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/audit/check"
	"github.com/wardproject/ward/internal/cli"
)

func newCheckCommand() *cobra.Command {
	var f check.Options
	c := &cobra.Command{
		Use:   "check [PATH... | IMAGE... | -] [--container NAME] [--running]",
		Short: "Audit Dockerfiles, compose files, Kubernetes manifests, OCI config.json, inspect output, images and containers against the checklist",
		Long: `ward check reads the places where a container's privileges are decided and
reports, per checklist item, what runs as root, keeps capabilities, shares host
namespaces, mounts host paths, disables seccomp, or ships unpinned or bloated
images. Files are recognised by name or content; directories are walked
(hidden directories and unrendered templates skipped); "-" reads standard
input, e.g. helm template chart | ward check -. Rules: docs/RULES.md.
Images: a docker-save or OCI archive (told by content), or a name that is
no path, looked up in ward's image store: their USER, ENV, HEALTHCHECK,
setuid files, base, and known vulnerabilities when a database is loaded
(ward db import). Containers: --container NAME, or --running for all.
It judges effective settings: a Dockerfile without USER runs as root, a pod's
securityContext applies to its containers, Docker's defaults include NET_RAW.

Exit status: 0 when the inputs were read (and nothing reached --fail-on),
1 when a finding is at or above --fail-on (an image scan with coverage
gaps, WD261, reaches every level unless --allow-uncovered), 2 for usage or
input errors: a path that does not exist, or nothing to check where one
was named (a CI job pointed at the wrong directory fails).

Suppress a finding inline with a reason:  # ward:ignore=WD140 writes to /data
Accept today's findings so only new ones fail:  --write-accept FILE, then --accept FILE`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return check.Run(cli.Layout(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args, f)
		},
	}
	c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return check.UsageError(err) })
	fl := c.Flags()
	fl.StringVar(&f.Format, "format", "text", "output format: "+strings.Join(audit.Formats, ", "))
	fl.StringVar(&f.FailOn, "fail-on", "", "exit 1 when a finding is at or above this severity (info, low, medium, high, critical)")
	fl.StringVar(&f.Config, "config", "", "config file (default: "+audit.ConfigFile+" in the current directory, if present)")
	fl.StringVar(&f.Accept, "accept", "", "accepted-findings file: findings listed there are not reported")
	fl.StringVar(&f.WriteAccept, "write-accept", "", "write the current findings to this accepted-findings file")
	fl.StringVar(&f.Policy, "policy", "", "report only the rules of this run policy (default, baseline, restricted)")
	fl.StringVarP(&f.Output, "output", "o", "", "write the report to this file instead of standard output")
	fl.StringVar(&f.Color, "color", "auto", "colour text output: auto, always, never")
	fl.StringArrayVar(&f.Containers, "container", nil, "check this ward container (name or ID; repeatable)")
	fl.BoolVar(&f.Running, "running", false, "check every running ward container")
	fl.StringSliceVar(&f.Severities, "severity", nil, "report only findings of these severities, a comma list (INFO,LOW,MEDIUM,HIGH,CRITICAL)")
	fl.StringVar(&f.ImageSrc, "image-src", "", "read image names from ward's store or their registry only (store, registry); default: the store, else the registry for REGISTRY/REPO:TAG names")
	fl.BoolVar(&f.AllowUncovered, "allow-uncovered", false, "accept image scans with coverage gaps (WD261): what the scan could not see is still listed by ward scan")
	fl.StringVar(&f.FailOnVuln, "fail-on-vuln", "", "image-scan: report (and with --policy, refuse) only vulnerabilities at or above this severity (low, medium, high, critical)")
	return c
}
