package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/testutil"
)

// TestRuncSpecBundleRuns runs the config.json `runc spec` writes, not
// edited in any way (a terminal, `sh`, a read-only root, three ambient
// capabilities and no inheritable ones), over a busybox rootfs, under
// runc and ward-runtime. The kernel cannot raise an ambient capability
// that is not inheritable: runc starts the process without them, and so
// must ward-runtime, with a warning in its --log naming them.
func TestRuncSpecBundleRuns(t *testing.T) {
	testutil.RequireRoot(t)
	ward, runc := newWard(t), newRunc(t)
	const script = "grep -E '^Cap' /proc/self/status; echo done-$((6*7)); exit\n"
	seen := map[string][]string{}
	var spec *specs.Spec
	for _, r := range []*oci{runc, ward} {
		t.Run(r.name, func(t *testing.T) {
			dir := t.TempDir()
			if out, err := exec.Command(runc.bin, "spec", "--bundle", dir).CombinedOutput(); err != nil {
				t.Fatalf("runc spec: %v: %s", err, out)
			}
			testutil.BusyboxRootfs(t, filepath.Join(dir, "rootfs"))
			spec = readRuncSpec(t, dir)
			log := filepath.Join(t.TempDir(), "log.json")
			sock, masters := consoleServer(t)
			id := containerID(t)
			global := []string{"--log", log, "--log-format", "json"}
			if res := r.cmd(append(global, "create", "--bundle", dir, "--console-socket", sock, id)...); res.code != 0 {
				t.Fatalf("create: exit %d: %s", res.code, res.stderr)
			}
			defer r.cmd("delete", "--force", id)
			var master *os.File
			select {
			case master = <-masters:
			case <-time.After(10 * time.Second):
				t.Fatal("no pty master arrived on the console socket")
			}
			if master == nil {
				t.Fatal("console socket: no pty master")
			}
			defer master.Close()
			if res := r.cmd(append(global, "start", id)...); res.code != 0 {
				t.Fatalf("start: exit %d: %s", res.code, res.stderr)
			}
			// The shell reads the script from its terminal; once it has
			// exited the master reads EIO.
			if _, err := master.WriteString(script); err != nil {
				t.Fatal(err)
			}
			out := readTerminal(t, master, "done-42")
			r.waitStatus(t, id, specs.StateStopped)
			for _, l := range strings.Split(strings.ReplaceAll(out, "\r", ""), "\n") {
				if strings.HasPrefix(l, "Cap") {
					seen[r.name] = append(seen[r.name], l)
				}
			}
			if len(seen[r.name]) != 5 {
				t.Fatalf("want 5 Cap lines on the terminal, got:\n%s", out)
			}
			logged, _ := os.ReadFile(log)
			if r == ward {
				for _, c := range spec.Process.Capabilities.Ambient {
					if !strings.Contains(string(logged), c) {
						t.Errorf("--log does not name the skipped ambient capability %s:\n%s", c, logged)
					}
				}
				if !strings.Contains(string(logged), `"level":"warning"`) {
					t.Errorf("--log holds no warning:\n%s", logged)
				}
			}
		})
	}
	if t.Failed() || spec == nil {
		return
	}
	if !slices.Equal(seen["ward-runtime"], seen["runc"]) {
		t.Errorf("capabilities differ:\n--- ward-runtime\n%s\n--- runc\n%s", strings.Join(seen["ward-runtime"], "\n"), strings.Join(seen["runc"], "\n"))
	}
	// What the spec asks, less the ambient set the kernel cannot raise.
	caps := *spec.Process.Capabilities
	if len(caps.Ambient) == 0 || len(caps.Inheritable) != 0 {
		t.Fatalf("runc spec's capabilities changed (ambient %v, inheritable %v): this test no longer covers the case", caps.Ambient, caps.Inheritable)
	}
	caps.Ambient = nil
	want := capLines(t, &caps, true)
	for _, l := range seen["ward-runtime"] {
		prefix, _, _ := strings.Cut(l, "\t")
		if want[prefix] != l {
			t.Errorf("ward-runtime: %q, want %q", l, want[prefix])
		}
	}
}

func readRuncSpec(t *testing.T, dir string) *specs.Spec {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s specs.Spec
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	if s.Process == nil || s.Process.Capabilities == nil {
		t.Fatal("runc spec wrote no process capabilities")
	}
	return &s
}

// readTerminal reads a pty master until want has been printed and the
// other side is closed (EIO), or 10 seconds have passed.
func readTerminal(t *testing.T, master *os.File, want string) string {
	t.Helper()
	done := make(chan string, 1)
	go func() {
		var all []byte
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			all = append(all, buf[:n]...)
			if err != nil {
				break
			}
		}
		done <- string(all)
	}()
	select {
	case out := <-done:
		if !strings.Contains(out, want) {
			t.Fatalf("the terminal never printed %q:\n%s", want, out)
		}
		return out
	case <-time.After(10 * time.Second):
		t.Fatalf("the shell on the terminal did not finish within 10s")
		return ""
	}
}

// TestDeviceRulesMatchRunc: under a deny-all device cgroup (Docker's
// first rule), every container may still use the nodes runc 1.1 allows
// on its own, /dev/net/tun (c 10:200) among them, which Docker relies on;
// any other node stays closed. The process makes each node with
// CAP_MKNOD and opens it, under ward-runtime and runc.
func TestDeviceRulesMatchRunc(t *testing.T) {
	testutil.RequireRoot(t)
	if _, err := os.Stat("/dev/net/tun"); err != nil {
		t.Skipf("skipped: the host has no tun device (/dev/net/tun: %v)", err)
	}
	const script = `probe() {
	mknod /dev/probe-$1 c $2 $3 || return
	if (exec 3<>/dev/probe-$1) 2>/dev/probe-err; then echo "$1: open ok"; else echo "$1: open fails: $(sed 's/.*: //' /dev/probe-err)"; fi
}
probe tun 10 200; probe fuse 10 229; probe null 1 3; probe kmsg 1 11`
	outputs := map[string]string{}
	for _, r := range []*oci{newWard(t), newRunc(t)} {
		t.Run(r.name, func(t *testing.T) {
			id := containerID(t)
			dir := testutil.Bundle(t, []string{"sh", "-c", script}, func(s *specs.Spec) {
				s.Linux.CgroupsPath = "/ward-e2e/" + id
				s.Linux.Resources = &specs.LinuxResources{
					Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}},
				}
				c := s.Process.Capabilities
				c.Bounding = append(c.Bounding, "CAP_MKNOD")
				c.Effective = append(c.Effective, "CAP_MKNOD")
				c.Permitted = append(c.Permitted, "CAP_MKNOD")
			})
			res := r.cmd("run", "--bundle", dir, id)
			if res.code != 0 {
				t.Fatalf("run: exit %d: %s%s", res.code, res.stdout, res.stderr)
			}
			outputs[r.name] = res.stdout
			for _, want := range []string{"tun: open ok", "null: open ok", "fuse: open fails: Operation not permitted", "kmsg: open fails: Operation not permitted"} {
				if !strings.Contains(res.stdout, want+"\n") {
					t.Errorf("no line %q in:\n%s%s", want, res.stdout, res.stderr)
				}
			}
		})
	}
	if w, r := outputs["ward-runtime"], outputs["runc"]; w != "" && r != "" && w != r {
		t.Errorf("ward-runtime and runc differ:\n--- ward-runtime\n%s--- runc\n%s", w, r)
	}
}
