package engine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/runspec"
)

// A learned profile's filter is recorded as Docker records a seccomp
// file: "seccomp=" and the JSON, taken from the spec, which Docker's
// format loads again as it is.
func TestRecordProfileSeccomp(t *testing.T) {
	filter := &specs.LinuxSeccomp{
		DefaultAction: specs.ActLog,
		Architectures: []specs.Arch{specs.ArchX86_64},
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"read", "write", "exit_group"}, Action: specs.ActAllow}},
	}
	s := &specs.Spec{Process: &specs.Process{}, Linux: &specs.Linux{Seccomp: filter}}
	c := &record.Container{HostConfig: record.HostConfig{SecurityOpt: []string{"no-new-privileges"}}}
	recordProfileSeccomp(c, s)
	opts := c.HostConfig.SecurityOpt
	if len(opts) != 2 || opts[0] != "no-new-privileges" || !strings.HasPrefix(opts[1], "seccomp={") {
		t.Fatalf("SecurityOpt %q: want no-new-privileges and seccomp={...}", opts)
	}
	body := strings.TrimPrefix(opts[1], "seccomp=")
	var back specs.LinuxSeccomp
	if err := json.Unmarshal([]byte(body), &back); err != nil || !reflect.DeepEqual(&back, filter) {
		t.Errorf("recorded filter %s (%v): want the spec's %+v", body, err, filter)
	}
	file := filepath.Join(t.TempDir(), "profile.json")
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runspec.CheckSeccompProfile(file, nil); err != nil {
		t.Errorf("the recorded filter as a --security-opt seccomp= file: %v", err)
	}

	// Unconfined (a --security-opt seccomp=unconfined over the profile)
	// and privileged record no filter.
	for _, s := range []*specs.Spec{
		{Process: &specs.Process{}, Linux: &specs.Linux{Seccomp: &specs.LinuxSeccomp{DefaultAction: specs.ActAllow}}},
		{Process: &specs.Process{}, Linux: &specs.Linux{}},
	} {
		c := &record.Container{}
		recordProfileSeccomp(c, s)
		if len(c.HostConfig.SecurityOpt) != 0 {
			t.Errorf("SecurityOpt %q of an unfiltered spec: want none", c.HostConfig.SecurityOpt)
		}
	}
	c = &record.Container{HostConfig: record.HostConfig{Privileged: true}}
	recordProfileSeccomp(c, s)
	if len(c.HostConfig.SecurityOpt) != 0 {
		t.Errorf("SecurityOpt %q of a privileged container: want none", c.HostConfig.SecurityOpt)
	}
}
