package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/record"
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

// The images the agreement tests run. Their /etc/passwd has a second
// name for uid 0 (toor), a user and groups, so --user is resolved as
// Docker resolves it.
const (
	appImage     = "example.com/app:1"
	nonrootImage = "example.com/nonroot:1" // USER 1000
	toorImage    = "example.com/toor:1"    // USER toor, an alias of root
)

const (
	passwdFile = "root:x:0:0:root:/root:/bin/sh\ntoor:x:0:0:root again:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n"
	groupFile  = "root:x:0:\nwheel:x:10:app\nstaff:x:50:app\napp:x:1000:\nnogroup:x:65534:\n"
)

// storeRunImages writes the three images into the store under $WARD_ROOT.
func storeRunImages(t *testing.T) {
	t.Helper()
	files := func() v1.Layer {
		return tarLayer(t, map[string]fileSpec{
			"app":        {data: "x", mode: 0o755},
			"etc/passwd": {data: passwdFile},
			"etc/group":  {data: groupFile},
			"bin/su":     {data: "x", mode: 0o4755},
		})
	}
	storeImage(t, appImage, v1.Config{Cmd: []string{"/app"}}, files())
	storeImage(t, nonrootImage, v1.Config{User: "1000", Cmd: []string{"/app"}}, files())
	storeImage(t, toorImage, v1.Config{User: "toor", Cmd: []string{"/app"}}, files())
}

// runLine is one command line of the agreement tests: run flags and the
// image (appImage when empty).
type runLine struct {
	flags []string
	image string
}

func (l runLine) img() string {
	if l.image == "" {
		return appImage
	}
	return l.image
}

func (l runLine) String() string { return strings.Join(append(slices.Clone(l.flags), l.img()), " ") }

// hardened are the flags that satisfy the restricted policy but for a
// user: each line below adds or changes one thing.
var hardened = []string{"--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges"}

func withHardened(flags ...string) []string { return append(slices.Clone(hardened), flags...) }

// commandLines are the command lines the agreement tests judge: Docker's
// defaults, every way to say root (uid-0 aliases, 0:0, the image's USER),
// user and group resolution, the capability algebra, every
// no-new-privileges spelling Docker accepts, seccomp, namespaces, mounts
// and limits.
var commandLines = []runLine{
	{},
	{flags: []string{"--user", "1000"}},
	{flags: []string{"--user", "root"}},
	{flags: []string{"--user", "toor"}},
	{flags: withHardened("--user", "toor")},
	{flags: []string{"--network", "none", "--user", "toor", "--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges", "--memory", "64m", "--pids-limit", "50"}},
	{flags: withHardened("--user", "toor:1000")},
	{flags: withHardened("--user", "0:0")},
	{flags: withHardened("--user", "0")},
	{flags: withHardened("--user", "1000:0")},
	{flags: withHardened("--user", "app")},
	{flags: withHardened("--user", "app:staff")},
	{flags: withHardened("--user", "app:50")},
	{flags: withHardened("--user", "1000:1000")},
	{flags: withHardened("--user", "65534:65534")},
	{flags: withHardened("--user", "4242")},
	{flags: withHardened(), image: toorImage},
	{flags: withHardened("--user", "app"), image: toorImage},
	{flags: withHardened(), image: nonrootImage},
	{image: nonrootImage},
	{flags: []string{"--user", "1000", "--cap-drop", "all", "--cap-add", "NET_BIND_SERVICE", "--security-opt", "no-new-privileges:true", "--read-only", "--tmpfs", "/tmp"}},
	{flags: []string{"--user", "1000", "--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "--security-opt", "no-new-privileges", "--read-only"}},
	{flags: []string{"--user", "1000", "--cap-drop", "ALL", "--cap-add", "cap_chown", "--security-opt", "no-new-privileges", "--read-only"}},
	{flags: []string{"--privileged"}},
	{flags: []string{"--privileged", "--user", "1000", "--read-only"}},
	{flags: []string{"--privileged", "--cap-drop", "ALL"}},
	{flags: []string{"--cap-add", "SYS_ADMIN"}},
	{flags: []string{"--cap-add", "CHOWN"}},
	{flags: []string{"--cap-add", "ALL"}},
	{flags: []string{"--cap-add", "ALL", "--cap-drop", "NET_RAW"}},
	{flags: []string{"--cap-add", "all", "--cap-drop", "cap_sys_admin", "--cap-drop", "net_admin"}},
	{flags: []string{"--cap-drop", "NET_RAW"}},
	{flags: []string{"--cap-drop", "chown", "--cap-drop", "CAP_SETUID", "--cap-add", "sys_ptrace"}},
	{flags: withHardened("--user", "1000", "--cap-add", "ALL", "--cap-drop", "NET_RAW")},
	{flags: []string{"--user", "1000", "--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges=true"}},
	{flags: []string{"--user", "1000", "--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges=1"}},
	{flags: []string{"--user", "1000", "--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges:true"}},
	{flags: []string{"--user", "1000", "--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges:1"}},
	{flags: []string{"--user", "1000", "--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges=TRUE"}},
	{flags: []string{"--user", "1000", "--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges=false"}},
	{flags: []string{"--user", "1000", "--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges:0"}},
	{flags: []string{"--pid", "host"}},
	{flags: []string{"--ipc", "host"}},
	{flags: []string{"--network", "host"}},
	{flags: []string{"-v", "/:/host"}},
	{flags: []string{"-v", "/var/run/docker.sock:/var/run/docker.sock"}},
	{flags: []string{"-v", "/srv/data:/data:ro"}},
	{flags: []string{"--mount", "type=bind,source=/etc,target=/host-etc,readonly"}},
	{flags: []string{"--security-opt", "seccomp=unconfined"}},
	{flags: withHardened("--user", "1000", "--security-opt", "seccomp=unconfined")},
	{flags: withHardened("--user", "1000", "--security-opt", "seccomp=testdata/seccomp-deny-ptrace.json")},
	{flags: withHardened("--user", "1000", "--security-opt", "seccomp:testdata/seccomp-allow-all.json")},
	{flags: []string{"--privileged", "--security-opt", "seccomp=testdata/seccomp-deny-ptrace.json"}},
	{flags: []string{"--security-opt", "no-new-privileges"}},
	{flags: []string{"--read-only"}},
	{flags: []string{"--memory", "256m", "--pids-limit", "100", "--user", "1000"}},
	{flags: []string{"-e", "API_TOKEN=abcd1234efgh5678"}},
}

var policies = []string{"default", "baseline", "restricted"}

// dryRun is `ward run --dry-run --format json --policy pol` of l: its
// findings as keys, and its exit status.
func dryRun(t *testing.T, pol string, l runLine) ([]string, int) {
	t.Helper()
	out, stderr, err := runCmd(t, append(append([]string{"--dry-run", "--format", "json", "--policy", pol}, l.flags...), l.img())...)
	if s := exitStatus(err); s != 0 && s != 125 || out == "" {
		t.Fatalf("%s: dry-run: %v\n%s", l, err, stderr)
	}
	return findingKeys(t, out), exitStatus(err)
}

// ruleIDs are the rule IDs of finding keys, sorted: a verdict.
func ruleIDs(keys []string) []string {
	ids := []string{}
	for _, k := range keys {
		id, _, _ := strings.Cut(k, " ")
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// For every command line and policy: `ward run --dry-run` reports the
// findings that `ward run` refuses with (exit 125, one line each, nothing
// created), and runs what it reports nothing for; and `ward check` on the
// record the command line would create (what `ward inspect` prints) gives
// the same verdict.
func TestRunPolicyAgreesWithCheck(t *testing.T) {
	t.Setenv("WARD_ROOT", t.TempDir())
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	storeRunImages(t)
	if len(commandLines) < 40 {
		t.Fatalf("%d command lines, want at least 40", len(commandLines))
	}
	dir := t.TempDir()
	refusedSome, acceptedSome := false, false
	for i, l := range commandLines {
		inspect, stderr, err := runCmd(t, append(append([]string{"--dry-run", "--format", "inspect"}, l.flags...), l.img())...)
		if err != nil {
			t.Fatalf("%s: dry-run: %v\n%s", l, err, stderr)
		}
		file := filepath.Join(dir, fmt.Sprintf("inspect%d.json", i))
		os.WriteFile(file, []byte(inspect), 0o644)
		for _, pol := range policies {
			t.Run(pol+"/"+l.String(), func(t *testing.T) {
				want, status := dryRun(t, pol, l)
				if wantStatus := map[bool]int{true: 125, false: 0}[len(want) > 0]; status != wantStatus {
					t.Errorf("dry-run exit %d, want %d", status, wantStatus)
				}
				out, _, err := checkJSONRaw(t, "--policy", pol, file)
				if err != nil {
					t.Fatalf("check: %v", err)
				}
				if got := ruleIDs(findingKeys(t, out)); !slices.Equal(got, ruleIDs(want)) {
					t.Errorf("check of the inspect record judges %v, the dry run %v", got, ruleIDs(want))
				}

				// The real command line: refused before anything is
				// created, one line per violation; or let through by
				// the gate ward run passes before it creates anything
				// (running it would need root and a runtime: see
				// TestRunPolicyRestrictedBusybox).
				if len(want) == 0 {
					acceptedSome = true
					if err := policyGate(t, append(append([]string{"--policy", pol}, l.flags...), l.img())); err != nil {
						t.Errorf("run refused what check accepts: %v", err)
					}
					return
				}
				refusedSome = true
				_, _, err = runCmd(t, append(append([]string{"--policy", pol, "--runtime", "/bin/true"}, l.flags...), l.img())...)
				if exitStatus(err) != 125 || !strings.Contains(err.Error(), "refused by policy "+pol) {
					t.Fatalf("run: %v, want a refusal (exit 125)", err)
				}
				if got := refusedKeys(err); !slices.Equal(got, want) {
					t.Errorf("run refuses for %v, dry-run reports %v", got, want)
				}
				if !strings.Contains(err.Error(), "Fix: Run with") && !strings.Contains(err.Error(), "Fix: Run without") && !strings.Contains(err.Error(), "Fix: Use") {
					t.Errorf("refusal names no flag: %v", err)
				}
			})
		}
	}
	if !refusedSome || !acceptedSome {
		t.Errorf("the table must hold both refused and accepted lines (refused %v, accepted %v)", refusedSome, acceptedSome)
	}
	// Nothing was created by any refusal or dry run.
	records, _ := record.OpenRecords(filepath.Join(wardRoot(), "containers"))
	if list, _ := records.List(); len(list) > 0 {
		t.Errorf("refused command lines left %d containers", len(list))
	}
	if entries, _ := os.ReadDir(filepath.Join(wardRoot(), "snapshots")); len(entries) > 0 {
		t.Errorf("dry runs left snapshots: %v", entries)
	}
}

// For every command line, a container created for real (`ward create`,
// root needed for its overlay rootfs): `ward check --policy P` on its
// bundle's config.json, `ward check --container` and `ward run --dry-run
// --policy P` report the same findings.
func TestRunPolicyAgreesWithBundle(t *testing.T) {
	testutil.RequireRoot(t)
	t.Setenv("WARD_ROOT", t.TempDir())
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	storeRunImages(t)
	records, err := record.OpenRecords(filepath.Join(wardRoot(), "containers"))
	if err != nil {
		t.Fatal(err)
	}
	// ward create refuses a bind whose source is missing (it does not
	// make one, unlike Docker 20.10): the lines' host paths exist for the
	// test's length, made here where the machine lacks them.
	for _, p := range []struct {
		path string
		dir  bool
	}{{"/var/run/docker.sock", false}, {"/srv/data", true}} {
		ensureHostPath(t, p.path, p.dir)
	}
	for i, l := range commandLines {
		name := fmt.Sprintf("line%d", i)
		cmd := exec.Command(wardBinary(t), append(append([]string{"create", "--runtime", "/bin/true", "--name", name}, l.flags...), l.img())...)
		cmd.Env = append(os.Environ(), "WARD_DEFAULT_NETWORK=none")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: create: %v\n%s", l, err, out)
		}
		c, err := records.Find(name)
		if err != nil {
			t.Fatal(err)
		}
		config := filepath.Join(records.Dir(c.ID), "bundle", "config.json")
		for _, pol := range policies {
			t.Run(pol+"/"+l.String(), func(t *testing.T) {
				want, _ := dryRun(t, pol, l)
				out, _, err := checkJSONRaw(t, "--policy", pol, config)
				if err != nil {
					t.Fatalf("check config.json: %v", err)
				}
				if got := findingKeys(t, out); !slices.Equal(got, want) {
					t.Errorf("check of config.json reports %v, the dry run %v", got, want)
				}
				out, _, err = checkJSONRaw(t, "--policy", pol, "--container", name)
				if err != nil {
					t.Fatalf("check --container: %v", err)
				}
				if got := findingKeys(t, out); !slices.Equal(got, want) {
					t.Errorf("check --container reports %v, the dry run %v", got, want)
				}
			})
		}
		rm := exec.Command(wardBinary(t), "rm", "-f", name)
		if out, err := rm.CombinedOutput(); err != nil {
			t.Fatalf("rm %s: %v\n%s", name, err, out)
		}
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
	storeImage(t, "example.com/old:1", v1.Config{User: "1000", Cmd: []string{"/bin/sh"}}, debianLayers(t)...)

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
	storeImage(t, "example.com/gentoo:1", v1.Config{User: "1000", Cmd: []string{"/bin/sh"}}, tarLayer(t, map[string]fileSpec{"etc/os-release": {data: "ID=gentoo\nVERSION_ID=2.15\n", mode: 0o644}}))
	_, _, err = runCmd(t, "--runtime", "/bin/true", "--fail-on-vuln", "low", "example.com/gentoo:1")
	if exitStatus(err) != 125 || !strings.Contains(err.Error(), "WD261") || !strings.Contains(err.Error(), "gentoo") {
		t.Errorf("uncovered image under --fail-on-vuln low: %v", err)
	}
	if _, _, err := runCmd(t, "--dry-run", "--fail-on-vuln", "low", "--allow-uncovered", "example.com/gentoo:1"); err != nil {
		t.Errorf("--allow-uncovered: %v", err)
	}
}

// ensureHostPath makes path (an empty file, or a directory) when it is
// missing, and removes it when the test ends.
func ensureHostPath(t *testing.T, path string, dir bool) {
	t.Helper()
	if _, err := os.Lstat(path); err == nil {
		return
	}
	var err error
	if dir {
		err = os.Mkdir(path, 0o755)
	} else {
		err = os.WriteFile(path, nil, 0o600)
	}
	if err != nil {
		t.Fatalf("make %s for the test: %v", path, err)
	}
	t.Cleanup(func() { os.Remove(path) })
}
