package main

import (
	"testing"

	"github.com/wardproject/ward/internal/testutil"
)

// TestSmallDependencies: ward-monitor lives as long as its container, so
// it links no CLI framework, database, image code, JSON, network stack or
// formatted printing (reflection): each would add to its resident memory.
func TestSmallDependencies(t *testing.T) {
	testutil.RequireNoDeps(t,
		"github.com/spf13/cobra", "go.etcd.io/bbolt", "github.com/google/go-containerregistry",
		"github.com/wardproject/ward/internal/engine", "github.com/wardproject/ward/internal/image",
		"encoding/json", "net", "os/exec", "fmt", "flag")
}
