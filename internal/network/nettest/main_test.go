package nettest

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	Reexec() // a program Command runs in a test namespace
	os.Exit(m.Run())
}
