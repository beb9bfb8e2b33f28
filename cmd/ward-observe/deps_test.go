package main

import (
	"testing"

	"github.com/wardproject/ward/internal/testutil"
)

// TestSmallDependencies: ward-observe lives as long as its container, as
// the monitor does, so it links no CLI framework, database, image code,
// record, spec builder or HTTP: only the observer, the seccomp name table and
// the denial files.
func TestSmallDependencies(t *testing.T) {
	testutil.RequireNoDeps(t,
		"github.com/spf13/cobra", "go.etcd.io/bbolt", "github.com/google/go-containerregistry",
		"github.com/wardproject/ward/internal/engine", "github.com/wardproject/ward/internal/image",
		"github.com/wardproject/ward/internal/record", "github.com/wardproject/ward/internal/runspec",
		"go.yaml.in/yaml/v3", "net/http")
}
