package learnprofile

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func valid(t *testing.T) *Profile {
	t.Helper()
	sec, err := json.Marshal(AllowList([]string{"write", "read", "read"}))
	if err != nil {
		t.Fatal(err)
	}
	return &Profile{Version: Version, Image: "sha256:ab", User: "1:1", Capabilities: []string{},
		ReadOnlyRoot: true, WritablePaths: []WritablePath{{Path: "/tmp"}}, Seccomp: sec}
}

func TestRoundTrip(t *testing.T) {
	p := valid(t)
	file := filepath.Join(t.TempDir(), "p.json")
	if err := p.Write(file); err != nil {
		t.Fatal(err)
	}
	got, err := Read(file)
	if err != nil {
		t.Fatal(err)
	}
	calls, err := got.AllowedSyscalls()
	if err != nil || !slices.Equal(calls, []string{"read", "write"}) {
		t.Errorf("allowed %v, %v: want [read write], sorted and without duplicates", calls, err)
	}
}

func TestParseRefuses(t *testing.T) {
	for name, edit := range map[string]func(*Profile){
		"another version":  func(p *Profile) { p.Version = 2 },
		"no digest":        func(p *Profile) { p.Image = "busybox" },
		"relative path":    func(p *Profile) { p.WritablePaths = []WritablePath{{Path: "tmp"}} },
		"the root":         func(p *Profile) { p.WritablePaths = []WritablePath{{Path: "/"}} },
		"unclean path":     func(p *Profile) { p.WritablePaths = []WritablePath{{Path: "/tmp/../etc"}} },
		"no seccomp":       func(p *Profile) { p.Seccomp = nil },
		"seccomp not JSON": func(p *Profile) { p.Seccomp = json.RawMessage(`"x"`) },
	} {
		t.Run(name, func(t *testing.T) {
			p := valid(t)
			edit(p)
			data, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Parse(data); err == nil {
				t.Errorf("Parse accepted a profile with %s", name)
			}
		})
	}
	if _, err := Parse([]byte(`{"wardProfile":1,"image":"sha256:ab","seccomp":{},"surprise":1}`)); err == nil || !strings.Contains(err.Error(), "surprise") {
		t.Errorf("an unknown field: %v", err)
	}
}
