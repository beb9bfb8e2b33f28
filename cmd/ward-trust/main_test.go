package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wardproject/ward/internal/testutil"
)

// wardBins are ward, ward-trust and ward-audit (for ward check), built
// once for the package's tests: the trust verbs are tested through the
// binaries users run, ward exec'ing ward-trust.
var wardBins = testutil.NewBinaries("ward", "ward-trust", "ward-audit")

func wardBinary(t *testing.T) string { return filepath.Join(wardBins.Dir(t), "ward") }

func TestMain(m *testing.M) {
	code := m.Run()
	wardBins.Remove()
	os.Exit(code)
}
