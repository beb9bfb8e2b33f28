package matcher

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/scan/scantest"
)

// debianEdgeCases exercise each rule of deb-version(7): epochs, '~',
// revisions, binNMUs (+bN), security suffixes, letters against digits.
var debianEdgeCases = [][2]string{
	{"1.0~rc1", "1.0"}, {"1.0~rc1", "1.0~rc2"}, {"1.0~~", "1.0~"}, {"1:1.0", "2.0"},
	{"0:1.0", "1.0"}, {"1.0-1", "1.0-1+b1"}, {"1.0+dfsg", "1.0"}, {"1.0", "1.0.0"},
	{"2.36-9+deb12u4", "2.36-9+deb12u14"}, {"1.34+dfsg-1.2+deb12u1", "1.34+dfsg-1.2"},
	{"252.38-1~deb12u1", "252.38-1"}, {"1.0a", "1.0"}, {"1.0-0.1", "1.0-1"},
	{"1:2.38.1-5+deb12u3", "2.38.1-5+deb12u3"}, {"7.88.1-10+deb12u5", "7.88.1-10+deb12u12"},
	{"1:1.35.0-4+b1", "1:1.35.0-4+deb12u1"}, {"1:1.35.0-4+deb12u1+b1", "1:1.35.0-4+deb12u1"},
	{"3.0.19-1~deb12u2", "3.0.19-1"}, {"10", "9"}, {"1.2.3-1", "1.2.3-1"}, {"1.0+b", "1.0+a"},
	{"1.0-1", "1.0-1.1"}, {"5.2.15-2+b13", "5.2.15-2+b2"}, {"2:0.1", "1:9.9"},
}

// minbaseVersions returns every binary and source version recorded in the
// minbase rootfs' dpkg status, or nil when it is not available.
func minbaseVersions(t *testing.T) []string {
	root := scantest.MinbaseRootfs(t)
	f, err := os.Open(filepath.Join(root, "var/lib/dpkg/status"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	set := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "Version: "); ok {
			set[v] = true
		}
		if s, ok := strings.CutPrefix(line, "Source: "); ok {
			if _, v, ok := strings.Cut(s, " ("); ok {
				set[strings.TrimSuffix(v, ")")] = true
			}
		}
	}
	var out []string
	for v := range set {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// dpkgCompare asks dpkg itself to order every pair, in one shell.
func dpkgCompare(t *testing.T, pairs [][2]string) []int {
	var script strings.Builder
	for _, p := range pairs {
		fmt.Fprintf(&script, "if dpkg --compare-versions '%s' lt '%s'; then echo -1; elif dpkg --compare-versions '%s' eq '%s'; then echo 0; else echo 1; fi\n", p[0], p[1], p[0], p[1])
	}
	out, err := exec.Command("sh", "-c", script.String()).Output()
	if err != nil {
		t.Fatalf("dpkg --compare-versions: %v", err)
	}
	var res []int
	for _, f := range strings.Fields(string(out)) {
		var n int
		fmt.Sscan(f, &n)
		res = append(res, n)
	}
	if len(res) != len(pairs) {
		t.Fatalf("dpkg answered %d of %d comparisons", len(res), len(pairs))
	}
	return res
}

func TestDebianOrderingMatchesDpkg(t *testing.T) {
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Skip("dpkg is not installed; it is the reference for Debian version ordering")
	}
	pairs := append([][2]string(nil), debianEdgeCases...)
	for _, p := range debianEdgeCases {
		pairs = append(pairs, [2]string{p[1], p[0]})
	}
	// Neighbouring versions of a real system, and each against the fixed
	// versions of the OSV fixtures.
	vs := minbaseVersions(t)
	fixed := []string{"1:1.35.0-4+deb12u1", "1.34+dfsg-1.2+deb12u1", "5.36.0-7+deb12u2", "2.36-9+deb12u14", "252.38-1~deb12u1", "1:1.2.11.dfsg-4.1"}
	for i, v := range vs {
		pairs = append(pairs, [2]string{v, vs[(i+1)%len(vs)]}, [2]string{v, vs[(i+7)%len(vs)]})
		for _, f := range fixed {
			pairs = append(pairs, [2]string{v, f})
		}
	}
	want := dpkgCompare(t, pairs)
	for i, p := range pairs {
		got, err := Debian{}.Compare(p[0], p[1])
		if err != nil {
			t.Errorf("%s vs %s: %v", p[0], p[1], err)
			continue
		}
		if sign(got) != want[i] {
			t.Errorf("%s vs %s: ward %d, dpkg %d", p[0], p[1], sign(got), want[i])
		}
	}
	t.Logf("%d pairs agree with dpkg --compare-versions", len(pairs))
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

func TestAlpineAndSemverOrdering(t *testing.T) {
	tests := []struct {
		name string
		cmp  Comparer
		a, b string
		want int
	}{
		// apk: release suffix -rN, pre-release suffixes sort before the
		// release, _git/_p after it (apk-tools version.c).
		{"apk revision", Alpine{}, "1.36.1-r2", "1.36.1-r15", -1},
		{"apk numeric", Alpine{}, "1.9-r0", "1.10-r0", -1},
		{"apk rc before release", Alpine{}, "1.0_rc1-r0", "1.0-r0", -1},
		{"apk git after release", Alpine{}, "1.2.4_git20230717-r4", "1.2.4-r4", 1},
		{"apk equal", Alpine{}, "3.1.4-r5", "3.1.4-r5", 0},
		{"go release", Semver{}, "go1.21.3", "1.21.3", 0},
		{"go rc", Semver{}, "go1.21rc2", "1.21.0", -1},
		{"go minor only", Semver{}, "go1.21", "1.21.0", 0},
		{"module", Semver{}, "v0.15.0", "0.17.0", -1},
		{"pseudo-version", Semver{}, "v0.0.0-20231010170404-0b4a1c0d8a9e", "0.17.0", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.cmp.Compare(tc.a, tc.b)
			if err != nil || sign(got) != tc.want {
				t.Errorf("%s vs %s = %d (%v), want %d", tc.a, tc.b, got, err, tc.want)
			}
		})
	}
}
