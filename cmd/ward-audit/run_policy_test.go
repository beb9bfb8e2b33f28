package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/testutil"
)

// wardBins are ward and ward-audit, built once for the package's tests:
// ward run's policy flags exec ward-audit beside ward, so the agreement
// is tested through the binaries users run.
var wardBins = testutil.NewBinaries("ward", "ward-audit")

func wardBinary(t *testing.T) string { return filepath.Join(wardBins.Dir(t), "ward") }

func TestMain(m *testing.M) {
	code := m.Run()
	wardBins.Remove()
	os.Exit(code)
}

// wardExit is a ward command's non-zero exit: its status and stderr.
type wardExit struct {
	code   int
	stderr string
}

func (e *wardExit) Error() string { return e.stderr }
func (e *wardExit) ExitCode() int { return e.code }

// runCmd executes `ward run ARGS` (the binary, with $WARD_ROOT and
// $WARD_CONFIG as the test set them), returning stdout, stderr and, when
// it exits non-zero, a *wardExit.
func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(wardBinary(t), append([]string{"run"}, args...)...)
	cmd.Env = append(os.Environ(), "WARD_DEFAULT_NETWORK=none")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		return out.String(), errOut.String(), &wardExit{code: ee.ExitCode(), stderr: errOut.String()}
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), nil
}

// findingKeys reads a ward check JSON report into sorted "RULE message" keys.
func findingKeys(t *testing.T, data string) []string {
	t.Helper()
	var rep struct {
		Findings []struct{ Rule, Message string }
		Errors   []string
	}
	if err := json.Unmarshal([]byte(data), &rep); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if len(rep.Errors) > 0 {
		t.Fatalf("report errors: %v", rep.Errors)
	}
	keys := []string{}
	for _, f := range rep.Findings {
		keys = append(keys, f.Rule+" "+f.Message)
	}
	slices.Sort(keys)
	return keys
}

// refusedKeys reads ward run's refusal (on stderr, after its first line)
// into the same keys.
func refusedKeys(err error) []string {
	keys := []string{}
	for _, l := range strings.Split(strings.TrimSpace(err.Error()), "\n")[1:] {
		l = strings.TrimSpace(l)
		rule, rest, _ := strings.Cut(l, " ")
		_, rest, _ = strings.Cut(rest, ": ") // severity
		msg, _, _ := strings.Cut(rest, ". Fix: ")
		keys = append(keys, rule+" "+msg)
	}
	slices.Sort(keys)
	return keys
}

func exitStatus(err error) int {
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// commandLines are the run flags the agreement test judges.
var commandLines = [][]string{
	{},
	{"--user", "1000"},
	{"--user", "root"},
	{"--user", "0:0", "--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges"},
	{"--user", "1000", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--read-only"},
	{"--user", "1000", "--cap-drop", "all", "--cap-add", "NET_BIND_SERVICE", "--security-opt", "no-new-privileges:true", "--read-only", "--tmpfs", "/tmp"},
	{"--user", "1000", "--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "--security-opt", "no-new-privileges", "--read-only"},
	{"--privileged"},
	{"--privileged", "--user", "1000", "--read-only"},
	{"--cap-add", "SYS_ADMIN"},
	{"--cap-add", "CHOWN"},
	{"--cap-add", "ALL"},
	{"--cap-drop", "NET_RAW"},
	{"--pid", "host"},
	{"--ipc", "host"},
	{"--network", "host"},
	{"-v", "/:/host"},
	{"-v", "/var/run/docker.sock:/var/run/docker.sock"},
	{"-v", "/srv/data:/data:ro"},
	{"--mount", "type=bind,source=/etc,target=/host-etc,readonly"},
	{"--security-opt", "seccomp=unconfined"},
	{"--security-opt", "no-new-privileges"},
	{"--read-only"},
	{"--memory", "256m", "--pids-limit", "100", "--user", "1000"},
	{"-e", "API_TOKEN=abcd1234efgh5678"},
}

// ward check --policy P on the record a command line would create (what
// `ward run --dry-run --format inspect` prints, as `ward inspect` would)
// reports exactly what makes `ward run --policy P` refuse it, and
// `ward run --dry-run --policy P` reports and exits the same way.
func TestRunPolicyAgreesWithCheck(t *testing.T) {
	t.Setenv("WARD_ROOT", t.TempDir())
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	storeImage(t, "example.com/app:1", v1.Config{Cmd: []string{"/app"}}, tarLayer(t, map[string]fileSpec{"app": {data: "x", mode: 0o755}}))
	storeImage(t, "example.com/nonroot:1", v1.Config{User: "1000", Cmd: []string{"/app"}}, tarLayer(t, map[string]fileSpec{"app": {data: "x", mode: 0o755}}))
	dir := t.TempDir()
	refusedSome, acceptedSome := false, false
	lines := append(slices.Clone(commandLines), nil) // nil: the non-root image with no flags
	for i, flags := range lines {
		img := "example.com/app:1"
		if flags == nil {
			img = "example.com/nonroot:1"
		}
		inspect, stderr, err := runCmd(t, append(append([]string{"--dry-run", "--format", "inspect"}, flags...), img)...)
		if err != nil {
			t.Fatalf("%v: dry-run: %v\n%s", flags, err, stderr)
		}
		file := filepath.Join(dir, "inspect"+string(rune('a'+i))+".json")
		os.WriteFile(file, []byte(inspect), 0o644)
		for _, pol := range []string{"default", "baseline", "restricted"} {
			t.Run(pol+"/"+strings.Join(flags, "_")+img, func(t *testing.T) {
				out, _, err := checkJSONRaw(t, "--policy", pol, file)
				if err != nil {
					t.Fatalf("check: %v", err)
				}
				want := findingKeys(t, out)

				out, _, err = runCmd(t, append(append([]string{"--dry-run", "--format", "json", "--policy", pol}, flags...), img)...)
				if got := findingKeys(t, out); !slices.Equal(got, want) {
					t.Errorf("dry-run reports %v, check reports %v", got, want)
				}
				if wantStatus := map[bool]int{true: 125, false: 0}[len(want) > 0]; exitStatus(err) != wantStatus {
					t.Errorf("dry-run exit %d (%v), want %d", exitStatus(err), err, wantStatus)
				}

				// The real command line: refused before anything is
				// created, one line per violation; or let through by
				// the gate ward run passes before it creates anything
				// (running it would need root and a runtime: see
				// TestRunPolicyRestrictedBusybox).
				if len(want) == 0 {
					acceptedSome = true
					if err := policyGate(t, append(append([]string{"--policy", pol}, flags...), img)); err != nil {
						t.Errorf("run refused what check accepts: %v", err)
					}
					return
				}
				_, _, err = runCmd(t, append(append([]string{"--policy", pol, "--runtime", "/bin/true"}, flags...), img)...)
				{
					refusedSome = true
					if exitStatus(err) != 125 || !strings.Contains(err.Error(), "refused by policy "+pol) {
						t.Fatalf("run: %v, want a refusal (exit 125)", err)
					}
					if got := refusedKeys(err); !slices.Equal(got, want) {
						t.Errorf("run refuses for %v, check reports %v", got, want)
					}
					if !strings.Contains(err.Error(), "Fix: Run with") && !strings.Contains(err.Error(), "Fix: Run without") && !strings.Contains(err.Error(), "Fix: Use") {
						t.Errorf("refusal names no flag: %v", err)
					}
				}
			})
		}
	}
	if !refusedSome || !acceptedSome {
		t.Errorf("the table must hold both refused and accepted lines (refused %v, accepted %v)", refusedSome, acceptedSome)
	}
	// Nothing was created by any refusal.
	records, _ := engine.OpenRecords(filepath.Join(wardRoot(), "containers"))
	if list, _ := records.List(); len(list) > 0 {
		t.Errorf("refused command lines left %d containers", len(list))
	}
}

// policyGate runs the gate ward run passes before it creates anything,
// without running: a dry run exits 0 exactly when the gate lets it by.
func policyGate(t *testing.T, args []string) error {
	t.Helper()
	_, _, err := runCmd(t, append([]string{"--dry-run", "--format", "inspect"}, args...)...)
	return err
}

// checkJSONRaw runs ward check --format json and returns its raw output.
func checkJSONRaw(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newCheckCommand()
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(append([]string{"--format", "json"}, args...))
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestRunPolicyFromConfigAndVulnGate(t *testing.T) {
	t.Setenv("WARD_ROOT", t.TempDir())
	cfg := filepath.Join(t.TempDir(), "config.json")
	t.Setenv("WARD_CONFIG", cfg)
	storeImage(t, "example.com/old:1", v1.Config{User: "1000"}, debianLayers(t)...)

	// ward's config names the policy when the flag does not.
	os.WriteFile(cfg, []byte(`{"policy":"baseline"}`), 0o644)
	_, _, err := runCmd(t, "--runtime", "/bin/true", "--privileged", "example.com/old:1")
	if exitStatus(err) != 125 || !strings.Contains(err.Error(), "policy baseline") || !strings.Contains(err.Error(), "WD120") {
		t.Errorf("config policy baseline, --privileged: %v", err)
	}
	// The flag wins over the config.
	if _, _, err := runCmd(t, "--dry-run", "--policy", "default", "--privileged", "example.com/old:1"); err != nil {
		t.Errorf("--policy default over config baseline: %v", err)
	}
	os.WriteFile(cfg, []byte(`{}`), 0o644)

	// A vulnerability gate without a database refuses: it cannot be checked.
	_, _, err = runCmd(t, "--runtime", "/bin/true", "--fail-on-vuln", "critical", "example.com/old:1")
	if exitStatus(err) != 125 || !strings.Contains(err.Error(), "cannot be checked") {
		t.Errorf("gate without database: %v", err)
	}
	if _, err := run(t, newDBCommand(), "import", osvFixtures); err != nil {
		t.Fatal(err)
	}
	_, _, err = runCmd(t, "--runtime", "/bin/true", "--fail-on-vuln", "critical", "example.com/old:1")
	if exitStatus(err) != 125 || !strings.Contains(err.Error(), "WD260 critical") || !strings.Contains(err.Error(), "CVE-2022-48174") {
		t.Errorf("critical busybox under --fail-on-vuln critical: %v", err)
	}
	// ward check --fail-on-vuln agrees with the dry run.
	out, _, err := runCmd(t, "--dry-run", "--format", "json", "--fail-on-vuln", "critical", "example.com/old:1")
	if exitStatus(err) != 125 || !slices.ContainsFunc(findingKeys(t, out), func(k string) bool { return strings.HasPrefix(k, "WD260 1 critical") }) {
		t.Errorf("dry-run gate: %v\n%s", err, out)
	}
	// The dry run reports image-scan with the rest when a database is loaded.
	out, _, err = runCmd(t, "--dry-run", "--format", "json", "example.com/old:1")
	if err != nil || !slices.ContainsFunc(findingKeys(t, out), func(k string) bool { return strings.HasPrefix(k, "WD260") }) {
		t.Errorf("dry-run without a policy: %v\n%s", err, out)
	}
	// An image the scan could not see into passes no gate, unless the
	// gaps are accepted: no advisory for gentoo is not "no vulnerability".
	storeImage(t, "example.com/gentoo:1", v1.Config{User: "1000"}, tarLayer(t, map[string]fileSpec{"etc/os-release": {data: "ID=gentoo\nVERSION_ID=2.15\n", mode: 0o644}}))
	_, _, err = runCmd(t, "--runtime", "/bin/true", "--fail-on-vuln", "low", "example.com/gentoo:1")
	if exitStatus(err) != 125 || !strings.Contains(err.Error(), "WD261") || !strings.Contains(err.Error(), "gentoo") {
		t.Errorf("uncovered image under --fail-on-vuln low: %v", err)
	}
	if _, _, err := runCmd(t, "--dry-run", "--fail-on-vuln", "low", "--allow-uncovered", "example.com/gentoo:1"); err != nil {
		t.Errorf("--allow-uncovered: %v", err)
	}
}
