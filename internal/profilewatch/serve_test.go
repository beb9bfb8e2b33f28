package profilewatch

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// writeBundle writes a container directory whose bundle's spec has the
// default action action.
func writeBundle(t *testing.T, action specs.LinuxSeccompAction) string {
	t.Helper()
	dir := t.TempDir()
	s := specs.Spec{Linux: &specs.Linux{CgroupsPath: "/ward/x", Seccomp: &specs.LinuxSeccomp{DefaultAction: action}}}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(bundleDir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bundleDir(dir), "config.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The monitor gets an observer only for a spec in log mode, judged from
// the spec; a missing ward-observe refuses the start rather than leave
// the container unreported.
func TestMonitorArgs(t *testing.T) {
	bin := t.TempDir()
	obs := filepath.Join(bin, ObserverBinary)
	if err := os.WriteFile(obs, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	if args, err := MonitorArgs(writeBundle(t, specs.ActErrno)); err != nil || args != nil {
		t.Errorf("enforce mode: %v, %v; want no observer", args, err)
	}
	if args, err := MonitorArgs(writeBundle(t, specs.ActLog)); err != nil || !slices.Equal(args, []string{"--observer", obs}) {
		t.Errorf("log mode: %v, %v; want --observer %s", args, err, obs)
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := MonitorArgs(writeBundle(t, specs.ActLog)); err == nil || !strings.Contains(err.Error(), ObserverBinary) || !strings.Contains(err.Error(), "--profile-mode log") {
		t.Errorf("log mode without %s: %v; want an error naming it", ObserverBinary, err)
	}
	if _, err := MonitorArgs(t.TempDir()); err == nil {
		t.Errorf("no bundle: want an error")
	}
}

func TestAllowedCalls(t *testing.T) {
	got := AllowedCalls(&specs.LinuxSeccomp{Syscalls: []specs.LinuxSyscall{
		{Names: []string{"read", "write"}, Action: specs.ActAllow},
		{Names: []string{"personality"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0, Op: specs.OpEqualTo}}},
		{Names: []string{"mount"}, Action: specs.ActErrno},
	}})
	if len(got) != 2 || !got["read"] || !got["write"] {
		t.Errorf("allowed %v: want read and write only (an argument rule lets a call through only sometimes)", got)
	}
}
