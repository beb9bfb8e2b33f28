package main

import (
	"github.com/spf13/pflag"
)

// registerPull declares run's and create's --pull, as docker's
// (internal/pullpolicy applies it).
func registerPull(fl *pflag.FlagSet, pull *string) {
	fl.StringVar(pull, "pull", "missing", `pull the image before creating: "always", "missing" or "never"`)
}
