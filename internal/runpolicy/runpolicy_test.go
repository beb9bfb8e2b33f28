package runpolicy

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The flags win over ward's config file, which wins over the default
// policy and no gate.
func TestResolve(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config.json")
	if err := os.WriteFile(config, []byte(`{"policy": "baseline", "fail-on-vuln": "high"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		config             string
		flags              Flags
		wantName, wantGate string
	}{
		{filepath.Join(dir, "none.json"), Flags{}, Default, ""},
		{filepath.Join(dir, "none.json"), Flags{Policy: "restricted"}, "restricted", ""},
		{config, Flags{}, "baseline", "high"},
		{config, Flags{Policy: "restricted"}, "restricted", "high"},
		{config, Flags{Policy: "restricted", FailOnVuln: "critical"}, "restricted", "critical"},
	} {
		t.Setenv("WARD_CONFIG", tc.config)
		name, gate, err := tc.flags.Resolve()
		if err != nil {
			t.Fatalf("%+v: %v", tc.flags, err)
		}
		if name != tc.wantName || gate != tc.wantGate {
			t.Errorf("%s %+v: Resolve = %q, %q; want %q, %q", filepath.Base(tc.config), tc.flags, name, gate, tc.wantName, tc.wantGate)
		}
		if got := tc.flags.Name(); got != tc.wantName {
			t.Errorf("%+v: Name = %q, want %q", tc.flags, got, tc.wantName)
		}
	}
}

func TestJudgeArgs(t *testing.T) {
	got := (&Flags{}).JudgeArgs("baseline", "")
	if want := []string{"--policy", "baseline", "--fail-on-vuln", ""}; !slices.Equal(got, want) {
		t.Errorf("JudgeArgs = %q, want %q", got, want)
	}
	got = (&Flags{AllowUncovered: true}).JudgeArgs("restricted", "high")
	if want := []string{"--policy", "restricted", "--fail-on-vuln", "high", "--allow-uncovered"}; !slices.Equal(got, want) {
		t.Errorf("JudgeArgs = %q, want %q", got, want)
	}
}
