package main

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCp copies both ways with a running and a stopped container, through
// links the container made to escape, and through tar streams.
func TestCp(t *testing.T) {
	w := newWardEnv(t)
	host := t.TempDir()
	secret := filepath.Join(host, "secret")
	os.WriteFile(secret, []byte("host secret\n"), 0o644)
	payload := filepath.Join(host, "payload")
	os.WriteFile(payload, []byte("payload\n"), 0o640)

	w.must(t, "run", "-d", "--name", "cpbox", "busybox", "sh", "-c",
		"echo inside > /etc/motd; ln -s / /escape; ln -s "+host+" /hostdir; mkdir /tmp/t; touch /ready; sleep 100")
	for i := 0; i < 50; i++ {
		if _, _, code := w.run(t, nil, "exec", "cpbox", "test", "-e", "/ready"); code == 0 {
			break
		}
	}
	for _, state := range []string{"running", "stopped"} {
		if state == "stopped" {
			w.must(t, "stop", "-t", "0", "cpbox")
		}
		out := filepath.Join(t.TempDir(), "out")
		// Out: /escape/../etc/motd is the container's.
		w.must(t, "cp", "cpbox:/escape/etc/motd", out)
		if got, _ := os.ReadFile(out); string(got) != "inside\n" {
			t.Errorf("%s: cp out got %q", state, got)
		}
		// In: through a link to the host's directory, named inside.
		w.must(t, "cp", payload, "cpbox:/hostdir-"+state)
		if _, _, code := w.run(t, nil, "cp", payload, "cpbox:/hostdir/secret"); code != 1 {
			t.Errorf("%s: cp into /hostdir/secret: exit %d, want 1", state, code)
		}
		if got, _ := os.ReadFile(secret); string(got) != "host secret\n" {
			t.Fatalf("%s: the host's file became %q", state, got)
		}
		w.must(t, "cp", payload, "cpbox:/escape/tmp/t/")
		back := filepath.Join(t.TempDir(), "back")
		w.must(t, "cp", "cpbox:/tmp/t/payload", back)
		if fi, err := os.Stat(back); err != nil || fi.Mode().Perm() != 0o640 {
			t.Errorf("%s: round trip: %v %v", state, fi, err)
		}
		// Streams: a tar out names the source; a tar in lands in DEST.
		tarOut := w.must(t, "cp", "cpbox:/tmp/t", "-")
		hdr, err := tar.NewReader(strings.NewReader(tarOut)).Next()
		if err != nil || hdr.Name != "t/" {
			t.Errorf("%s: cp to -: first entry %v %v", state, hdr, err)
		}
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		tw.WriteHeader(&tar.Header{Name: "streamed", Mode: 0o644, Size: 3, Typeflag: tar.TypeReg})
		tw.Write([]byte("hi\n"))
		tw.Close()
		if _, errOut, code := w.run(t, &buf, "cp", "-", "cpbox:/tmp"); code != 0 {
			t.Fatalf("%s: cp from -: %s", state, errOut)
		}
		w.must(t, "cp", "cpbox:/tmp/streamed", filepath.Join(host, "streamed-"+state))
	}
	w.must(t, "start", "cpbox")
	if got := w.must(t, "exec", "cpbox", "cat", "/hostdir-running", "/hostdir-stopped", "/tmp/streamed"); got != "payload\npayload\nhi\n" {
		t.Errorf("seen inside: %q", got)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"cp", "nosuch:/x", host}, "nosuch"},
		{[]string{"cp", "cpbox:/nosuch", host}, "could not find"},
		{[]string{"cp", payload, host}, "at least one container"},
		{[]string{"cp", "cpbox:/etc", "cpbox:/tmp"}, "between containers"},
	} {
		if _, errOut, code := w.run(t, nil, tc.args...); code != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, %q; want 1 and %q", tc.args, code, errOut, tc.want)
		}
	}
	w.must(t, "rm", "-f", "cpbox")
	if left := w.leftovers(t); len(left) > 0 {
		t.Errorf("left %v", left)
	}
}
