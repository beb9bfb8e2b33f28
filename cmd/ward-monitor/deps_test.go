package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestSmallDependencies: ward-monitor lives as long as its container, so
// it links no CLI framework, database, image code, JSON, network stack or
// formatted printing (reflection): each would add to its resident memory.
func TestSmallDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipped: the go tool is not on PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	for _, banned := range []string{
		"github.com/spf13/cobra", "go.etcd.io/bbolt", "github.com/google/go-containerregistry",
		"github.com/wardproject/ward/internal/engine", "github.com/wardproject/ward/internal/image",
		"encoding/json", "net", "os/exec", "fmt", "flag",
	} {
		t.Run(banned, func(t *testing.T) {
			for _, d := range deps {
				if d == banned || strings.HasPrefix(d, banned+"/") {
					t.Errorf("ward-monitor links %s", d)
				}
			}
		})
	}
}
