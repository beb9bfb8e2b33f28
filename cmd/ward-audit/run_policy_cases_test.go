package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/record"
)

// The three cases that opened issue 11, where the policy judged a second
// reading of the flags instead of the spec that runs.
func TestRunPolicyIssue11Cases(t *testing.T) {
	t.Setenv("WARD_ROOT", t.TempDir())
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	storeRunImages(t)

	// A second name for uid 0 is root: refused by restricted, which
	// names WD100 alone.
	for _, l := range []runLine{
		{flags: []string{"--network", "none", "--policy", "restricted", "--user", "toor", "--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges", "--memory", "64m", "--pids-limit", "50"}},
		{flags: []string{"--policy", "restricted", "--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges"}, image: toorImage},
		{flags: []string{"--policy", "restricted", "--user", "toor:1000", "--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges"}},
	} {
		_, _, err := runCmd(t, append(append([]string{"--runtime", "/bin/true"}, l.flags...), l.img())...)
		if exitStatus(err) != 125 || !slices.Equal(ruleIDs(refusedKeys(err)), []string{"WD100"}) {
			t.Errorf("%s: %v, want a refusal for WD100 alone", l, err)
		}
	}

	// ward create judges the same way, and makes nothing when it refuses.
	create := exec.Command(wardBinary(t), "create", "--runtime", "/bin/true", "--policy", "restricted", "--user", "toor",
		"--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges", appImage)
	create.Env = append(os.Environ(), "WARD_DEFAULT_NETWORK=none")
	if out, err := create.CombinedOutput(); exitStatus(err) != 125 || !strings.Contains(string(out), "WD100") {
		t.Errorf("create --policy restricted --user toor: %v\n%s", err, out)
	}
	records, err := record.OpenRecords(filepath.Join(wardRoot(), "containers"))
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := records.List(); len(list) > 0 {
		t.Errorf("refusals left %d containers", len(list))
	}

	// Every spelling of no-new-privileges Docker accepts sets the flag,
	// and restricted lets the hardened line through.
	for _, opt := range []string{"no-new-privileges", "no-new-privileges=true", "no-new-privileges=1", "no-new-privileges:true", "no-new-privileges:1", "no-new-privileges=True"} {
		flags := []string{"--user", "1000", "--cap-drop", "ALL", "--read-only", "--security-opt", opt}
		if keys, status := dryRun(t, "restricted", runLine{flags: flags}); status != 0 {
			t.Errorf("--security-opt %s under restricted: %v", opt, keys)
		}
		if rec := dryRunRecord(t, flags...); !slices.Contains(rec.HostConfig.SecurityOpt, "no-new-privileges") {
			t.Errorf("--security-opt %s: the record says %v", opt, rec.HostConfig.SecurityOpt)
		}
	}
	if keys, _ := dryRun(t, "restricted", runLine{flags: []string{"--user", "1000", "--cap-drop", "ALL", "--read-only", "--security-opt", "no-new-privileges=false"}}); !slices.Equal(ruleIDs(keys), []string{"WD130"}) {
		t.Errorf("no-new-privileges=false under restricted: %v, want WD130", keys)
	}

	// --cap-add ALL --cap-drop NET_RAW: the process has no NET_RAW, and
	// the record and the findings say so.
	rec := dryRunRecord(t, "--cap-add", "ALL", "--cap-drop", "NET_RAW")
	if !slices.Equal(rec.HostConfig.CapDrop, []string{"CAP_NET_RAW"}) || !slices.Contains(rec.HostConfig.CapAdd, "CAP_SYS_ADMIN") {
		t.Errorf("record: CapAdd %v, CapDrop %v", rec.HostConfig.CapAdd, rec.HostConfig.CapDrop)
	}
	keys, _ := dryRun(t, "restricted", runLine{flags: []string{"--cap-add", "ALL", "--cap-drop", "NET_RAW"}})
	kept := ""
	for _, k := range keys {
		if strings.HasPrefix(k, "WD110 ") {
			kept = k
		}
	}
	if !strings.Contains(kept, "CHOWN") || strings.Contains(kept, "NET_RAW") {
		t.Errorf("WD110 for --cap-add ALL --cap-drop NET_RAW: %q, want the defaults without NET_RAW", kept)
	}
}

// dryRunRecord is the record `ward run --dry-run --format inspect` prints.
func dryRunRecord(t *testing.T, flags ...string) record.Container {
	t.Helper()
	out, stderr, err := runCmd(t, append(append([]string{"--dry-run", "--format", "inspect"}, flags...), appImage)...)
	if err != nil {
		t.Fatalf("%v: %v\n%s", flags, err, stderr)
	}
	var recs []record.Container
	if err := json.Unmarshal([]byte(out), &recs); err != nil || len(recs) != 1 {
		t.Fatalf("%v: %v\n%s", flags, err, out)
	}
	return recs[0]
}
