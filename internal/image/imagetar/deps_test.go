package imagetar

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLinksNoWardPackage: the archive reader is a leaf that the image
// store and the scanner both use, so it links no other ward package
// (neither side's code can leak into the other through it), and nothing
// that reaches the network or runs programs: an archive is read, never
// acted on.
func TestLinksNoWardPackage(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipped: the go tool is not on PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	const self = "github.com/wardproject/ward/internal/image/imagetar"
	for _, d := range strings.Fields(string(out)) {
		if d != self && strings.HasPrefix(d, "github.com/wardproject/ward/") || d == "net" || d == "os/exec" {
			t.Errorf("links %s", d)
		}
	}
}
