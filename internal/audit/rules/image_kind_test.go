package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// imageWith is an image workload with the given config and content.
func imageWith(ref string, cfg workload.ImageConfig, c *workload.ImageContent) workload.Workload {
	if c == nil {
		c = &workload.ImageContent{}
	}
	return workload.FromImage(ref, ref, cfg, c)
}

func TestImageRules(t *testing.T) {
	debian := &workload.ImageContent{Distro: "debian", DistroName: "Debian GNU/Linux 12 (bookworm)", PackageManager: "/usr/bin/apt-get"}
	distroless := &workload.ImageContent{Distro: "debian", DistroName: "Distroless"}
	cases := []struct {
		rule audit.Rule
		ruleCase
	}{
		{RunsAsRoot, ruleCase{"no USER", imageWith("app:1", workload.ImageConfig{}, nil), 1}},
		{RunsAsRoot, ruleCase{"USER 0:0", imageWith("app:1", workload.ImageConfig{User: "0:0"}, nil), 1}},
		{RunsAsRoot, ruleCase{"USER root", imageWith("app:1", workload.ImageConfig{User: "root"}, nil), 1}},
		{RunsAsRoot, ruleCase{"USER 1000", imageWith("app:1", workload.ImageConfig{User: "1000"}, nil), 0}},
		{RunsAsRoot, ruleCase{"USER app", imageWith("app:1", workload.ImageConfig{User: "app"}, nil), 0}},
		{ImageNotPinned, ruleCase{"latest", imageWith("app:latest", workload.ImageConfig{}, nil), 1}},
		{ImageNotPinned, ruleCase{"digest", imageWith("app@sha256:0123", workload.ImageConfig{}, nil), 0}},
		{ImageNotPinned, ruleCase{"no reference", workload.FromImage("x.tar", "", workload.ImageConfig{}, nil), 0}},
		{FullDistributionBase, ruleCase{"debian with apt", imageWith("app:1", workload.ImageConfig{}, debian), 1}},
		{FullDistributionBase, ruleCase{"debian slim tag", imageWith("debian:12-slim", workload.ImageConfig{}, debian), 0}},
		{FullDistributionBase, ruleCase{"distroless", imageWith("app:1", workload.ImageConfig{}, distroless), 0}},
		{FullDistributionBase, ruleCase{"busybox", imageWith("app:1", workload.ImageConfig{}, &workload.ImageContent{Distro: "busybox"}), 0}},
		{SecretInEnvironment, ruleCase{"token", imageWith("app:1", workload.ImageConfig{Env: []string{"PATH=/bin", "GITHUB_TOKEN=abcd1234efgh"}}, nil), 1}},
		{NoHealthcheck, ruleCase{"none", imageWith("app:1", workload.ImageConfig{}, nil), 1}},
		{NoHealthcheck, ruleCase{"NONE", imageWith("app:1", workload.ImageConfig{Healthcheck: []string{"NONE"}}, nil), 1}},
		{NoHealthcheck, ruleCase{"CMD", imageWith("app:1", workload.ImageConfig{Healthcheck: []string{"CMD", "/app"}}, nil), 0}},
		{SudoInImage, ruleCase{"sudo", imageWith("app:1", workload.ImageConfig{}, &workload.ImageContent{Sudo: "/usr/bin/sudo"}), 1}},
		{SetuidBits, ruleCase{"two files, one finding", imageWith("app:1", workload.ImageConfig{}, &workload.ImageContent{Setuid: []string{"bin/su (setuid)", "usr/bin/chage (setgid)"}}), 1}},
		{SetuidBits, ruleCase{"none", imageWith("app:1", workload.ImageConfig{}, nil), 0}},
		{SSHServer, ruleCase{"sshd", imageWith("app:1", workload.ImageConfig{}, &workload.ImageContent{SSHServer: "/usr/sbin/sshd"}), 1}},
		{SSHServer, ruleCase{"exposes 22", imageWith("app:1", workload.ImageConfig{ExposedPorts: []string{"22/tcp", "80/tcp"}}, nil), 1}},
		{SSHServer, ruleCase{"sshd and 22: one finding", imageWith("app:1", workload.ImageConfig{ExposedPorts: []string{"22/tcp"}}, &workload.ImageContent{SSHServer: "/usr/sbin/sshd"}), 1}},
		{SSHServer, ruleCase{"exposes 2222, 22/udp", imageWith("app:1", workload.ImageConfig{ExposedPorts: []string{"2222/tcp", "22/udp"}}, nil), 0}},
		// Runtime rules do not judge images: their runner decides.
		{CapabilitiesNotDropped, ruleCase{"caps", imageWith("app:1", workload.ImageConfig{}, nil), 0}},
		{WritableRootfs, ruleCase{"rootfs", imageWith("app:1", workload.ImageConfig{}, nil), 0}},
	}
	for _, tc := range cases {
		t.Run(tc.rule.ID+"/"+tc.name, func(t *testing.T) {
			runCases(t, tc.rule, audit.Settings{}, []ruleCase{tc.ruleCase})
		})
	}
}

func TestSetuidMessageBounded(t *testing.T) {
	var files []string
	for i := range 20 {
		files = append(files, fmt.Sprintf("bin/f%02d (setuid)", i))
	}
	w := imageWith("app:1", workload.ImageConfig{}, &workload.ImageContent{Setuid: files})
	v := SetuidBits.Check(&w, audit.Settings{})
	if len(v) != 1 || !strings.Contains(v[0].Message, "20 setuid/setgid files") || !strings.Contains(v[0].Message, "and 12 more") {
		t.Errorf("%+v", v)
	}
}

func TestKnownVulnerabilities(t *testing.T) {
	vuln := func(id, sev, fixed string) workload.Vulnerability {
		return workload.Vulnerability{ID: id, Package: "p", InstalledVersion: "1", FixedVersion: fixed, Severity: sev}
	}
	scanned := func(vs ...workload.Vulnerability) workload.Workload {
		return imageWith("app:1", workload.ImageConfig{}, &workload.ImageContent{Scan: &workload.ImageScan{Packages: 3, Vulnerabilities: vs}})
	}
	for _, tc := range []struct {
		name string
		w    workload.Workload
		min  audit.Severity
		want []audit.Severity // one violation per bucket, worst first
	}{
		{"not scanned", imageWith("app:1", workload.ImageConfig{}, nil), audit.Info, nil},
		{"clean", scanned(), audit.Info, nil},
		{"buckets", scanned(vuln("A", "HIGH", "2"), vuln("B", "CRITICAL", ""), vuln("C", "HIGH", ""), vuln("D", "", "")), audit.Info,
			// Unrated D is its own bucket, counted as critical: UNKNOWN
			// reaches every threshold, as in trivy.
			[]audit.Severity{audit.Critical, audit.Critical, audit.High}},
		{"gate high", scanned(vuln("A", "HIGH", "2"), vuln("B", "MEDIUM", ""), vuln("C", "LOW", "")), audit.High, []audit.Severity{audit.High}},
		{"gate critical stops unrated", scanned(vuln("A", "HIGH", "2"), vuln("U", "UNKNOWN", "")), audit.Critical, []audit.Severity{audit.Critical}},
		{"gate critical, none", scanned(vuln("A", "HIGH", "2")), audit.Critical, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := KnownVulnerabilities.Check(&tc.w, audit.Settings{MinVulnSeverity: tc.min})
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want severities %v", got, tc.want)
			}
			for i, v := range got {
				if v.Severity == nil || *v.Severity != tc.want[i] || v.Message == "" {
					t.Errorf("violation %d: %+v, want severity %s", i, v, tc.want[i])
				}
			}
		})
	}
	// Coverage gaps: reported unless accepted.
	gappy := scanned()
	gappy.Content.Scan.Gaps = []string{"distribution gentoo 2.15: ward knows no advisories"}
	if got := ScanCoverage.Check(&gappy, audit.Settings{}); len(got) != 1 || !strings.Contains(got[0].Message, "gentoo") {
		t.Errorf("coverage gap: %+v", got)
	}
	if got := ScanCoverage.Check(&gappy, audit.Settings{AllowUncovered: true}); len(got) != 0 {
		t.Errorf("--allow-uncovered still reports %+v", got)
	}
	if clean := scanned(); len(ScanCoverage.Check(&clean, audit.Settings{})) != 0 {
		t.Error("a complete scan reported as incomplete")
	}
	// Evaluate carries each violation's own severity into the finding.
	w := scanned(vuln("A", "LOW", "2"), vuln("B", "CRITICAL", "3"))
	fs := audit.Evaluate([]audit.Rule{KnownVulnerabilities}, []workload.Workload{w}, audit.Settings{})
	sevs := map[audit.Severity]bool{}
	for _, f := range fs {
		sevs[f.Severity] = true
	}
	if len(fs) != 2 || !sevs[audit.Critical] || !sevs[audit.Low] {
		t.Errorf("findings %+v", fs)
	}
}
