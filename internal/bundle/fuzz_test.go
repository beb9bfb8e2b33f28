package bundle

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// FuzzValidate feeds config.json files to Load and Validate, what
// ward-runtime reads before it makes anything. Whatever the bytes, they
// return (no panic); a refusal is an ErrInvalid on one line, which is what
// create prints and the shim's log carries.
func FuzzValidate(f *testing.F) {
	example, err := json.Marshal(Example())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	for _, edit := range []string{
		`"args":["sh"]`, `"args":[]`, `"cwd":"relative"`, `"type":"pid","path":"/proc/self/ns/net"`,
		`"rlimits":[{"type":"RLIMIT_NOFILE","hard":1,"soft":2}]`, `"ociVersion":""`,
	} {
		f.Add([]byte(strings.Replace(string(example), `"args":["sh"]`, edit, 1)))
	}
	f.Add([]byte(`{"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"args":["x"],"cwd":"/"},"linux":{"namespaces":[{"type":"user"}],"sysctl":{"net.ipv4.ip_forward":"1"}}}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "rootfs"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "config.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Load(dir)
		if err == nil {
			err = Validate(dir, s)
		}
		if err == nil {
			return
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("refusal not classified as invalid: %v", err)
		}
		if strings.ContainsAny(err.Error(), "\n\r") {
			t.Errorf("refusal spans lines: %q", err)
		}
	})
}

// TestNamespacePathOpensNothing: a namespace path from config.json that is
// a FIFO (whose open would block) or a device (whose open can act, as
// /dev/watchdog's does) is refused without being opened.
func TestNamespacePathOpensNothing(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, "/dev/null", "/proc/self/status"} {
		done := make(chan error, 1)
		go func() { done <- checkNamespacePath(specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: p}) }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "is not a namespace") {
				t.Errorf("%s: %v, want it refused as not a namespace", p, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: the check blocked opening it", p)
		}
	}
	if err := checkNamespacePath(specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/proc/self/ns/net"}); err != nil {
		t.Errorf("a real namespace refused: %v", err)
	}
}
