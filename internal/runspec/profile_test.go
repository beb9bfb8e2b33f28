package runspec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/wardproject/ward/internal/learnprofile"
)

func testProfile(t *testing.T) *learnprofile.Profile {
	t.Helper()
	sec, err := json.Marshal(learnprofile.AllowList([]string{"read", "write", "execve", "exit_group", "bind", "listen", "accept4"}))
	if err != nil {
		t.Fatal(err)
	}
	return &learnprofile.Profile{
		Version: learnprofile.Version, Image: "sha256:0123", User: "65534:65534",
		Capabilities: []string{"CAP_NET_BIND_SERVICE"}, ReadOnlyRoot: true,
		WritablePaths: []learnprofile.WritablePath{{Path: "/tmp"}, {Path: "/run", Exec: true}},
		Seccomp:       sec,
	}
}

// The profile builds exactly the spec of the flags it converts to.
func TestProfileIsItsFlags(t *testing.T) {
	p := testProfile(t)
	file := filepath.Join(t.TempDir(), "seccomp.json")
	if err := os.WriteFile(file, p.Seccomp, 0o644); err != nil {
		t.Fatal(err)
	}
	var o Options
	flags := p.Flags(file)
	for i := 0; i < len(flags); i++ {
		switch flags[i] {
		case "--read-only":
			o.ReadOnly = true
		case "--cap-drop":
			i++
			o.CapDrop = append(o.CapDrop, flags[i])
		case "--cap-add":
			i++
			o.CapAdd = append(o.CapAdd, flags[i])
		case "--user":
			i++
			o.User = flags[i]
		case "--tmpfs":
			i++
			o.Tmpfs = append(o.Tmpfs, flags[i])
		case "--security-opt":
			i++
			o.SecurityOpt = append(o.SecurityOpt, flags[i])
		default:
			t.Fatalf("unexpected flag %q", flags[i])
		}
	}
	fromFlags := build(t, o)
	fromProfile := build(t, Options{Profile: p})
	if !reflect.DeepEqual(fromFlags, fromProfile) {
		a, _ := json.MarshalIndent(fromFlags, "", " ")
		b, _ := json.MarshalIndent(fromProfile, "", " ")
		t.Fatalf("profile and its flags differ:\nflags:   %s\nprofile: %s", a, b)
	}
	s := fromProfile
	if !s.Root.Readonly || s.Process.User.UID != 65534 || len(s.Process.Capabilities.Bounding) != 1 ||
		s.Linux.Seccomp == nil || s.Linux.Seccomp.DefaultAction != "SCMP_ACT_ERRNO" {
		t.Errorf("profile spec: readonly %v, uid %d, bounding %v, seccomp %+v",
			s.Root.Readonly, s.Process.User.UID, s.Process.Capabilities.Bounding, s.Linux.Seccomp)
	}
}

// Flags on the command line apply over the profile.
func TestProfileUnderFlags(t *testing.T) {
	s := build(t, Options{Profile: testProfile(t), CapDrop: []string{"net_bind_service"}, CapAdd: []string{"CHOWN"},
		User: "0:0", Tmpfs: []string{"/tmp:rw,exec"}, SecurityOpt: []string{"seccomp=unconfined"}})
	if got := s.Process.Capabilities.Bounding; !slices.Equal(got, []string{"CAP_CHOWN"}) {
		t.Errorf("bounding %v, want [CAP_CHOWN]", got)
	}
	if s.Process.User.UID != 0 {
		t.Errorf("uid %d: --user did not apply over the profile", s.Process.User.UID)
	}
	if s.Linux.Seccomp != nil {
		t.Error("seccomp=unconfined did not apply over the profile")
	}
	var tmp []string
	for _, m := range s.Mounts {
		if m.Destination == "/tmp" {
			tmp = append(tmp, m.Options...)
		}
	}
	if !slices.Contains(tmp, "exec") || slices.Contains(tmp, "noexec") {
		t.Errorf("/tmp options %v: --tmpfs did not replace the profile's", tmp)
	}
}

// --profile-mode log builds the same spec but for the filter's default
// action, which lets the calls outside the profile through and logs them.
func TestProfileLogMode(t *testing.T) {
	enforce := build(t, Options{Profile: testProfile(t)})
	logged := build(t, Options{Profile: testProfile(t), ProfileMode: "log"})
	if logged.Linux.Seccomp == nil || logged.Linux.Seccomp.DefaultAction != "SCMP_ACT_LOG" || logged.Linux.Seccomp.DefaultErrnoRet != nil {
		t.Fatalf("log mode seccomp %+v: want SCMP_ACT_LOG by default", logged.Linux.Seccomp)
	}
	if !reflect.DeepEqual(logged.Linux.Seccomp.Syscalls, enforce.Linux.Seccomp.Syscalls) {
		t.Error("log mode changed the allow-list")
	}
	logged.Linux.Seccomp, enforce.Linux.Seccomp = nil, nil
	if !reflect.DeepEqual(logged, enforce) {
		t.Error("log mode changed more of the spec than the seccomp default action")
	}
	for _, o := range []Options{{ProfileMode: "log"}, {Profile: testProfile(t), ProfileMode: "complain"}} {
		if _, err := Build(o, t.TempDir(), "x"); err == nil {
			t.Errorf("mode %q (profile %v) was accepted", o.ProfileMode, o.Profile != nil)
		}
	}
}
