package matcher

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

var rpmPairs = [][2]string{
	{"1.0", "1.0"}, {"1.0", "2.0"}, {"2.0.1", "2.0"}, {"1.0~rc1", "1.0"}, {"1.0~rc1", "1.0~rc2"},
	{"1.0^git1", "1.0"}, {"1.0^git1", "1.0.1"}, {"1.0^", "1.0^git1"}, {"1.0a", "1.0"}, {"1.0a", "1.0.1"},
	{"1.010", "1.9"}, {"1.001", "1.1"}, {"1.0-1", "1.0-2"}, {"1:1.0-1", "2.0-1"}, {"0:1.0-1", "1.0-1"},
	{"3.0.7-25.el9", "3.0.7-27.el9_4"}, {"1:3.0.7-27.el9_4", "1:3.0.7-27.el9"}, {"2.34-60.el9", "2.34-100.el9"},
	{"5.14.0-362.8.1.el9_3", "5.14.0-362.13.1.el9_3"}, {"1.0-1", "1.0"}, {"a", "b"}, {"1.0+a", "1.0_a"},
	{"abc", "1"}, {"1.0.0", "1.0"}, {"fc4", "fc.4"}, {"2.0.1a", "2.0.1"}, {"1.2.3~rc1-4.el9", "1.2.3-1.el9"},
}

// TestRPMOrderingMatchesRPM asks rpm's own rpm.vercmp (rpm's Lua API).
func TestRPMOrderingMatchesRPM(t *testing.T) {
	if _, err := exec.LookPath("rpm"); err != nil {
		t.Skip("rpm not installed (apt-get install rpm); it is the reference for rpm version ordering")
	}
	var lua strings.Builder
	lua.WriteString("%{lua: ")
	for _, p := range rpmPairs {
		fmt.Fprintf(&lua, "print(rpm.vercmp(%q, %q)) print(' ') print(rpm.vercmp(%q, %q)) print(' ') ", p[0], p[1], p[1], p[0])
	}
	lua.WriteString("}")
	out, err := exec.Command("rpm", "--eval", lua.String()).Output()
	if err != nil {
		t.Fatalf("rpm --eval: %v", err)
	}
	want := strings.Fields(string(out))
	if len(want) != 2*len(rpmPairs) {
		t.Fatalf("rpm answered %d of %d comparisons: %q", len(want), 2*len(rpmPairs), out)
	}
	for i, p := range rpmPairs {
		for k, pair := range [][2]string{p, {p[1], p[0]}} {
			got, err := RPM{}.Compare(pair[0], pair[1])
			if err != nil {
				t.Fatal(err)
			}
			if w := want[2*i+k]; fmt.Sprint(sign(got)) != w {
				t.Errorf("%s vs %s: ward %d, rpm %s", pair[0], pair[1], sign(got), w)
			}
		}
	}
}
