package idmap

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsNothingOfWardOutsideLinux: the kernel mechanism knows
// nothing of images, containers or the engine.
func TestImportsNothingOfWardOutsideLinux(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipped: the go tool is not on PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	const ward = "github.com/wardproject/ward/"
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, ward) && !strings.HasPrefix(p, ward+"internal/linux/") {
			t.Errorf("internal/linux/idmap imports %s", p)
		}
	}
}
