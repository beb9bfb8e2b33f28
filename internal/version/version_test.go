package version

import (
	"runtime"
	"strings"
	"testing"
)

func TestGet(t *testing.T) {
	old := Version
	defer func() { Version = old }()
	Version = ""
	i := Get()
	if !strings.HasPrefix(i.Version, "dev") || i.GoVersion != runtime.Version() || i.Os != runtime.GOOS || i.Arch != runtime.GOARCH {
		t.Errorf("a build without a version: %+v", i)
	}
	Version = "1.2.3"
	if i := Get(); i.Version != "1.2.3" || i.String() != "1.2.3, build "+i.GitCommit {
		t.Errorf("a release build: %+v, %q", i, i.String())
	}
}
