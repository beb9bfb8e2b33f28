package runspec

import (
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestParseUserns(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want UsernsMode
		err  string
	}{
		{in: "", want: UsernsMode{}},
		{in: "host", want: UsernsMode{}},
		{in: "auto", want: UsernsMode{Auto: true}},
		{in: "auto:size=1000", want: UsernsMode{Auto: true, Size: 1000}},
		{in: "auto:size=0", err: "size must be a positive number"},
		{in: "auto:uidmapping=0:1:1", err: `unknown option "uidmapping"`},
		{in: "private", err: "ward supports host and auto[:size=N]"},
		{in: "keep-id", err: "ward supports host and auto[:size=N]"},
	} {
		got, err := ParseUserns(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

// TestBuildUserns: the spec carries a user namespace and the mappings the
// engine allocated (what the policy judges), joined by path when given,
// with Docker's ping_group_range cut to the groups mapped; what cannot work
// in one is refused, naming the flag.
func TestBuildUserns(t *testing.T) {
	m := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1048576, Size: 65536}}
	s := build(t, Options{Userns: "auto", UIDMappings: m, GIDMappings: m})
	if !reflect.DeepEqual(s.Linux.UIDMappings, m) || !reflect.DeepEqual(s.Linux.GIDMappings, m) {
		t.Errorf("mappings %v %v", s.Linux.UIDMappings, s.Linux.GIDMappings)
	}
	if n := s.Linux.Namespaces[len(s.Linux.Namespaces)-1]; n.Type != specs.UserNamespace || n.Path != "" {
		t.Errorf("last namespace %+v, want a new user namespace", n)
	}
	if got := s.Linux.Sysctl["net.ipv4.ping_group_range"]; got != "0 65535" {
		t.Errorf("ping_group_range %q, want the mapped groups", got)
	}
	s = build(t, Options{Userns: "auto", UIDMappings: m, GIDMappings: m, UsernsPath: "/run/ward/userns/x", NetnsPath: "/run/ward/netns/x", Network: "bridge"})
	if n := s.Linux.Namespaces[len(s.Linux.Namespaces)-1]; n.Type != specs.UserNamespace || n.Path != "/run/ward/userns/x" || len(s.Linux.UIDMappings) != 1 {
		t.Errorf("joined: last namespace %+v, mappings %v", n, s.Linux.UIDMappings)
	}
	s = build(t, Options{Userns: "host"})
	for _, n := range s.Linux.Namespaces {
		if n.Type == specs.UserNamespace {
			t.Errorf("--userns host made a user namespace")
		}
	}
	if s.Linux.Sysctl["net.ipv4.ping_group_range"] != "0 2147483647" || s.Linux.UIDMappings != nil {
		t.Errorf("--userns host: %v %v", s.Linux.Sysctl, s.Linux.UIDMappings)
	}
	for _, tc := range []struct {
		o   Options
		err string
	}{
		{Options{Userns: "auto", Privileged: true}, "--privileged conflicts with --userns auto"},
		{Options{Userns: "auto", Network: "host"}, "--network host conflicts with --userns auto"},
		{Options{Userns: "auto", PID: "host"}, "--pid host conflicts with --userns auto"},
		{Options{Userns: "auto", IPC: "host"}, "--ipc host conflicts with --userns auto"},
		{Options{Userns: "auto"}, "no id range was allocated"},
		{Options{UIDMappings: m, GIDMappings: m}, "id mappings without --userns auto"},
	} {
		tc.o.Host, tc.o.Cmd = referenceHost(t), []string{"true"}
		if tc.o.UIDMappings == nil && tc.err != "no id range was allocated" && tc.o.Userns == "auto" {
			tc.o.UIDMappings, tc.o.GIDMappings = m, m
		}
		if _, err := Build(tc.o, testRootfs(t), testID); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%+v: err %v, want %q", tc.o.Userns, err, tc.err)
		}
	}
}
