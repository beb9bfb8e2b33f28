package main

import (
	"github.com/spf13/pflag"

	"github.com/wardproject/ward/internal/runpolicy"
)

// registerPolicy declares the flags of ward run and ward create that
// judge a command line before anything is created (internal/runpolicy
// resolves and enforces them; ward-audit judges).
func registerPolicy(fl *pflag.FlagSet, p *runpolicy.Flags) {
	fl.StringVar(&p.Policy, "policy", "", "refuse to run what this policy forbids: default, baseline, restricted (default: ward's config, else default)")
	fl.StringVar(&p.FailOnVuln, "fail-on-vuln", "", "also refuse images with known vulnerabilities at or above this severity (low, medium, high, critical); needs `ward db import`")
	fl.BoolVar(&p.AllowUncovered, "allow-uncovered", false, "let --fail-on-vuln pass an image whose scan could not see everything (an unknown distribution, an ecosystem without advisories, an unreadable package database)")
	fl.BoolVar(&p.DryRun, "dry-run", false, "create nothing: print what ward check reports for this command line")
	fl.StringVar(&p.Format, "format", "text", "--dry-run output: text, json, sarif, or inspect (the record ward inspect would print)")
}
