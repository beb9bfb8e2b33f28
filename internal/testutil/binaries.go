package testutil

import (
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// Binaries are commands of this repository built once per test binary,
// side by side in one temporary directory as `make build` ships them (ward
// finds ward-runtime, ward-monitor and ward-audit beside itself).
type Binaries struct {
	names []string
	once  sync.Once
	dir   string
	err   error
}

// NewBinaries names the commands (./cmd/NAME) to build on first use.
func NewBinaries(names ...string) *Binaries { return &Binaries{names: names} }

// Dir builds the binaries the first time it is called and returns their
// directory; a build failure fails tb.
func (b *Binaries) Dir(tb testing.TB) string {
	tb.Helper()
	b.once.Do(func() {
		if b.dir, b.err = os.MkdirTemp("", "ward-test-bin-"); b.err != nil {
			return
		}
		for _, name := range b.names {
			if _, b.err = BuildBinary(b.dir, name); b.err != nil {
				return
			}
		}
	})
	if b.err != nil {
		tb.Fatal(b.err)
	}
	return b.dir
}

// Remove deletes the directory, if one was made; call it from TestMain
// after m.Run.
func (b *Binaries) Remove() {
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
}

// RequireNoDeps fails tb for every package the command in the current
// directory links (per `go list -deps`) that is one of banned or below
// one: what a binary links costs every start of it, in initialization and
// resident memory.
func RequireNoDeps(tb testing.TB, banned ...string) {
	tb.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		tb.Skip("skipped: the go tool is not on PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		tb.Fatalf("go list -deps: %v", err)
	}
	for _, d := range strings.Fields(string(out)) {
		for _, b := range banned {
			if d == b || strings.HasPrefix(d, b+"/") {
				tb.Errorf("links %s", d)
			}
		}
	}
}
