package runspec

import (
	"reflect"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// --init runs Docker's docker-init before the command, bound read-only
// after Docker's own mounts and before the user's.
func TestBuildInit(t *testing.T) {
	s := build(t, Options{Init: true, InitPath: "/usr/bin/tini-static", Cmd: []string{"sleep", "1"}, Volumes: []string{"/srv:/data"}})
	if want := []string{"/sbin/docker-init", "--", "sleep", "1"}; !reflect.DeepEqual(s.Process.Args, want) {
		t.Errorf("args %q, want %q", s.Process.Args, want)
	}
	want := specs.Mount{Destination: "/sbin/docker-init", Type: "bind", Source: "/usr/bin/tini-static", Options: []string{"bind", "ro"}}
	var dests []string
	for _, m := range s.Mounts {
		dests = append(dests, m.Destination)
		if m.Destination == want.Destination && !reflect.DeepEqual(m, want) {
			t.Errorf("init mount %+v, want %+v", m, want)
		}
	}
	wantOrder := []string{"/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm", "/sbin/docker-init", "/data"}
	if !reflect.DeepEqual(dests, wantOrder) {
		t.Errorf("mounts %q, want %q", dests, wantOrder)
	}
	if _, err := Build(Options{Host: referenceHost(t), Init: true, Cmd: []string{"true"}}, testRootfs(t), testID); err == nil {
		t.Errorf("--init without an init binary: no error")
	}
}
