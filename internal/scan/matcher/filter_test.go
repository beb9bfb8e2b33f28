package matcher

import (
	"os"
	"sort"
	"strings"
	"testing"
)

func sampleFindings() []Finding {
	mk := func(pkg, ver, id, cve, fixed, sev string) Finding {
		return Finding{ID: id, Aliases: []string{cve}, Package: pkg, InstalledVersion: ver, FixedVersion: fixed, Severity: sev,
			PURL: "pkg:deb/debian/" + pkg + "@" + ver + "?arch=amd64&distro=debian-12"}
	}
	return []Finding{
		mk("util-linux", "2.38.1-5+deb12u3", "DEBIAN-CVE-2022-0563", "CVE-2022-0563", "", "UNKNOWN"),
		mk("mount", "2.38.1-5+deb12u3", "DEBIAN-CVE-2022-0563", "CVE-2022-0563", "", "UNKNOWN"),
		mk("libmount1", "2.38.1-5+deb12u3", "DEBIAN-CVE-2022-0563", "CVE-2022-0563", "", "UNKNOWN"),
		mk("apt", "2.6.1", "DEBIAN-CVE-2011-3374", "CVE-2011-3374", "", "LOW"),
		mk("libapt-pkg6.0", "2.6.1", "DEBIAN-CVE-2011-3374", "CVE-2011-3374", "", "LOW"),
		mk("tar", "1.34+dfsg-1.2", "DEBIAN-CVE-2005-2541", "CVE-2005-2541", "", "UNKNOWN"),
		mk("busybox", "1:1.35.0-4", "DEBIAN-CVE-2022-48174", "CVE-2022-48174", "1:1.35.0-4+deb12u1", "CRITICAL"),
	}
}

func readVEXFile(t *testing.T, name string) []VEXStatement {
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := ReadVEX(f)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func packagesOf(fs []Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Package)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func TestFilter(t *testing.T) {
	ignored, err := ReadIgnoreFile("testdata/ignore.txt")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		filter         Filter
		kept           string
		suppressed     string
		reasonContains string
	}{
		{"no filter", Filter{}, "apt,busybox,libapt-pkg6.0,libmount1,mount,tar,util-linux", "", ""},
		{"severity list", Filter{Severities: []string{"critical", "LOW"}}, "apt,busybox,libapt-pkg6.0", "", ""},
		{"ignore unfixed", Filter{IgnoreUnfixed: true}, "busybox", "", ""},
		{"ignore file", Filter{IgnoreIDs: ignored}, "apt,busybox,libapt-pkg6.0,libmount1,mount,util-linux", "tar", "ignore file"},
		// v0.2.0: util-linux by versionless subcomponent, mount by exact
		// purl, not libmount1; apt stays (affected); tar by alias through
		// the image product.
		{"openvex v0.2.0", Filter{VEX: readVEXFile(t, "vex-v0.2.0.json")}, "apt,busybox,libapt-pkg6.0,libmount1", "mount,tar,util-linux", "vulnerable_code_not_in_execute_path"},
		{"openvex v0.0.1", Filter{VEX: readVEXFile(t, "vex-v0.0.1.json")}, "apt,busybox,libmount1,mount,tar,util-linux", "libapt-pkg6.0", "component_not_present"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kept, suppressed := tc.filter.Apply(sampleFindings())
			if got := packagesOf(kept); got != tc.kept {
				t.Errorf("kept %s, want %s", got, tc.kept)
			}
			var sup []Finding
			reasons := ""
			for _, s := range suppressed {
				sup = append(sup, s.Finding)
				reasons += s.Reason + "\n"
			}
			if got := packagesOf(sup); got != tc.suppressed {
				t.Errorf("suppressed %s, want %s", got, tc.suppressed)
			}
			if !strings.Contains(reasons, tc.reasonContains) {
				t.Errorf("reasons %q lack %q", reasons, tc.reasonContains)
			}
		})
	}
}

func TestAtOrAbove(t *testing.T) {
	fs := sampleFindings()
	for _, tc := range []struct {
		level string
		want  bool
	}{{"CRITICAL", true}, {"high", true}, {"LOW", true}} {
		if got := AtOrAbove(fs, tc.level); got != tc.want {
			t.Errorf("AtOrAbove(%s) = %v", tc.level, got)
		}
	}
	if AtOrAbove(fs[3:5], "MEDIUM") {
		t.Error("LOW findings counted at or above MEDIUM")
	}
	// UNKNOWN is unrated, not low: it reaches every level, as in trivy.
	for _, level := range []string{"LOW", "MEDIUM", "HIGH", "CRITICAL"} {
		if !AtOrAbove(fs[:1], level) {
			t.Errorf("an UNKNOWN finding does not reach %s", level)
		}
	}
	// Leaving UNKNOWN out with --severity lets it through.
	kept, _ := Filter{Severities: []string{"LOW", "MEDIUM", "HIGH", "CRITICAL"}}.Apply(fs[:5])
	if AtOrAbove(kept, "MEDIUM") {
		t.Errorf("--severity without UNKNOWN still fails MEDIUM: %v", kept)
	}
}
