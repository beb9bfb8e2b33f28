package boundaries

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/wardproject/ward/"

// deps lists what the packages named by pattern link (`go list -deps`),
// per package: the import path of each package the pattern matches maps
// to everything it links, itself included.
func deps(t *testing.T, pattern string) map[string][]string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipped: the go tool is not on PATH")
	}
	pkgs, err := exec.Command(goTool, "list", module+pattern).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pattern, err)
	}
	out := map[string][]string{}
	for _, p := range strings.Fields(string(pkgs)) {
		d, err := exec.Command(goTool, "list", "-deps", p).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", p, err)
		}
		out[p] = strings.Fields(string(d))
	}
	if len(out) == 0 {
		t.Fatalf("go list %s: no packages", pattern)
	}
	return out
}

// requireNone fails for every package of pattern that links a package
// equal to or below one of banned.
func requireNone(t *testing.T, pattern string, banned ...string) {
	t.Helper()
	for p, ds := range deps(t, pattern) {
		for _, d := range ds {
			for _, b := range banned {
				if d == b || strings.HasPrefix(d, b+"/") {
					t.Errorf("%s links %s", p, d)
				}
			}
		}
	}
}

// The kernel mechanisms know nothing of images, audits, engines or
// flags: internal/linux/... imports no ward package outside it.
func TestLinuxImportsOnlyLinux(t *testing.T) {
	for p, ds := range deps(t, "internal/linux/...") {
		for _, d := range ds {
			if strings.HasPrefix(d, module) && !strings.HasPrefix(d, module+"internal/linux") {
				t.Errorf("%s links %s", p, d)
			}
		}
	}
}

// Building a spec does not link the seccomp compiler: Docker's default
// profile is data, compiled only by the runtime that loads it.
func TestSpecBuilderLinksNoSeccompCompiler(t *testing.T) {
	requireNone(t, "internal/runspec", module+"internal/linux/seccomp")
}

// The image store does not know the scanner; the scanner adapts the store
// (internal/scan/source/stored).
func TestStoreLinksNoScanner(t *testing.T) {
	requireNone(t, "internal/image/...", module+"internal/scan", module+"internal/audit", module+"internal/workload")
}

// ward-audit judges records and specs; it reads container records
// (internal/record) without the engine, so it links no netlink or
// nftables: an audit binary has no business configuring networks.
func TestAuditLinksNoNetlinkOrNftables(t *testing.T) {
	requireNone(t, "cmd/ward-audit", "github.com/vishvananda/netlink", "github.com/mdlayher/netlink", "github.com/google/nftables")
}

// The container record is data: it links neither the engine nor a runtime.
func TestRecordLinksNoEngine(t *testing.T) {
	requireNone(t, "internal/record", module+"internal/engine", module+"internal/ociruntime", module+"internal/network")
}

// ward hands judging to ward-audit (the judge-run protocol): ward itself
// links neither the audit rules, the policies nor the judge.
func TestWardLinksNoAuditor(t *testing.T) {
	requireNone(t, "cmd/ward", module+"internal/audit", module+"internal/policy", module+"internal/containerworkload")
}
