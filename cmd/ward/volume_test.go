package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestVolumes: named and anonymous volumes through -v and --mount, the
// image's content copied into a new volume, and the volume verbs with
// Docker's outputs and refusals.
func TestVolumes(t *testing.T) {
	w := newWardEnv(t)
	if got := w.must(t, "volume", "create", "--label", "tier=db", "data"); got != "data\n" {
		t.Errorf("volume create printed %q", got)
	}
	w.must(t, "volume", "create", "data") // an existing name is not an error
	mp := strings.TrimSpace(w.must(t, "volume", "inspect", "-f", "{{.Mountpoint}} {{.Driver}} {{.Labels.tier}}", "data"))
	if want := filepath.Join(w.root, "volumes", "data", "_data") + " local db"; mp != want {
		t.Errorf("inspect: %q, want %q", mp, want)
	}

	// Written by one container, read by the next; ro refuses writes.
	w.must(t, "run", "--name", "writer", "-v", "data:/data", "busybox", "sh", "-c", "echo hi > /data/f")
	if got := w.must(t, "run", "--rm", "-v", "data:/data:ro", "busybox", "sh", "-c", "cat /data/f; echo x > /data/g || echo refused"); !strings.Contains(got, "hi\n") || !strings.Contains(got, "refused") {
		t.Errorf("read back: %q", got)
	}
	// A new volume gets the image's content at the mount point, owners
	// and modes kept; an existing one with content does not.
	want := w.must(t, "run", "--rm", "busybox", "ls", "-ln", "/etc")
	if got := w.must(t, "run", "--rm", "-v", "etcvol:/etc", "busybox", "ls", "-ln", "/etc"); got != want {
		t.Errorf("copied up /etc:\n%s\nwant\n%s", got, want)
	}
	// (/etc/hostname, hosts and resolv.conf are ward's own mounts.)
	if got := w.must(t, "run", "--rm", "--mount", "type=volume,source=empty,target=/etc,volume-nocopy", "busybox", "ls", "/etc"); strings.Contains(got, "passwd") {
		t.Errorf("volume-nocopy: %q", got)
	}
	w.must(t, "run", "--rm", "--mount", "type=volume,src=m1,dst=/m,volume-label=a=b", "busybox", "true")
	if got := w.must(t, "volume", "inspect", "--format", "{{json .Labels}}", "m1"); got != `{"a":"b"}`+"\n" {
		t.Errorf("volume-label: %q", got)
	}

	// In use: rm refuses it (exit 1) until the container is gone.
	if _, errOut, code := w.run(t, nil, "volume", "rm", "data"); code != 1 || !strings.Contains(errOut, "in use") {
		t.Errorf("rm of a volume in use: exit %d, %q", code, errOut)
	}
	if got := w.must(t, "ps", "-a", "--filter", "volume=data", "--format", "{{.Names}} {{.Mounts}}"); got != "writer data\n" {
		t.Errorf("ps --filter volume: %q", got)
	}
	if got := w.must(t, "inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.RW}}{{end}}", "writer"); got != "volume data /data true\n" {
		t.Errorf("inspect Mounts: %q", got)
	}
	if got := w.must(t, "volume", "ls", "--filter", "dangling=false", "--format", "{{.Name}} {{.Links}}"); got != "data 1\n" {
		t.Errorf("volume ls dangling=false: %q", got)
	}
	if got := w.must(t, "volume", "ls"); !strings.HasPrefix(got, "DRIVER    VOLUME NAME\nlocal     data\n") {
		t.Errorf("volume ls:\n%s", got)
	}

	// Anonymous volumes: -v /path makes one, rm -v removes it.
	w.must(t, "run", "--name", "anon", "-v", "/scratch", "busybox", "true")
	anon := strings.TrimSpace(w.must(t, "inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", "anon"))
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(anon) {
		t.Fatalf("anonymous volume %q", anon)
	}
	w.must(t, "rm", "-v", "anon")
	if _, _, code := w.run(t, nil, "volume", "inspect", anon); code != 1 {
		t.Errorf("rm -v left the anonymous volume")
	}
	// --rm removes the anonymous ones too.
	w.must(t, "run", "--rm", "-v", "/scratch", "busybox", "true")

	// Prune removes what no container uses, and says how much.
	got := w.must(t, "volume", "prune", "-f")
	for _, name := range []string{"etcvol", "empty", "m1"} {
		if !strings.Contains(got, "\n"+name+"\n") {
			t.Errorf("prune did not remove %s:\n%s", name, got)
		}
	}
	if strings.Contains(got, "data") || !strings.Contains(got, "Total reclaimed space: ") {
		t.Errorf("prune:\n%s", got)
	}
	w.must(t, "rm", "writer")
	w.must(t, "volume", "rm", "data")
	if left, _ := os.ReadDir(filepath.Join(w.root, "volumes")); len(left) > 0 {
		t.Errorf("volumes left: %v", left)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"volume", "create", "a/b"}, "invalid characters"},
		{[]string{"volume", "inspect", "nosuch"}, "no such volume"},
		{[]string{"volume", "rm", "nosuch"}, "no such volume"},
		{[]string{"volume", "ls", "--filter", "colour=red"}, "invalid filter"},
		{[]string{"run", "--rm", "-v", "bad/name:/x", "busybox", "true"}, "invalid characters"},
		{[]string{"run", "--rm", "--mount", "type=volume,src=v,dst=/x,volume-driver=nfs", "busybox", "true"}, "not supported"},
	} {
		_, errOut, code := w.run(t, nil, tc.args...)
		wantCode := 1
		if tc.args[0] == "run" {
			wantCode = 125
		}
		if code != wantCode || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tc.args, code, errOut, wantCode, tc.want)
		}
	}
	w.must(t, "volume", "rm", "-f", "nosuch")
	if left := w.leftovers(t); len(left) > 0 {
		t.Errorf("left %v", left)
	}
	if left, _ := os.ReadDir(filepath.Join(w.root, "volumes")); len(left) > 0 {
		t.Errorf("volumes left after failed runs: %v", left)
	}
}
