package managers

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/testutil/testdaemon"
)

// containerd is a containerd daemon started by the test, with its root,
// state, socket and plugin directory under the test's work directory.
type containerd struct {
	socket string
	work   string
}

// ctr runs ctr against this containerd in namespace ns.
func (c *containerd) ctr(ns string, args ...string) result {
	return run(nil, append([]string{"ctr", "--address", c.socket, "--namespace", ns}, args...)...)
}

// containerdConfig is the configuration both containerd tests share: every
// path under work, no debug or metrics socket, and snapshotters that do
// not apply here turned off. extra is appended (the CRI plugin's section).
const containerdConfig = `version = 2
root = %[1]q
state = %[2]q
disabled_plugins = [%[3]s]

[grpc]
  address = %[4]q

[plugins."io.containerd.internal.v1.opt"]
  path = %[5]q
%[6]s`

// startContainerd writes a config under work and starts containerd with it.
func startContainerd(t *testing.T, work string, disabled []string, extra string) *containerd {
	t.Helper()
	c := &containerd{socket: filepath.Join(work, "containerd.sock"), work: work}
	quoted := make([]string, 0, len(disabled))
	for _, d := range disabled {
		quoted = append(quoted, fmt.Sprintf("%q", d))
	}
	cfg := fmt.Sprintf(containerdConfig, filepath.Join(work, "root"), filepath.Join(work, "state"),
		strings.Join(quoted, ", "), c.socket, filepath.Join(work, "opt"), extra)
	cfgPath := filepath.Join(work, "containerd.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	bin, _ := exec.LookPath("containerd")
	testdaemon.Start(t, "containerd", filepath.Join(work, "containerd.log"), c.socket, bin, "--config", cfgPath)
	return c
}

// unusedSnapshotters are containerd plugins that cannot work on this
// host's ext4 or are not needed; turning them off keeps startup quiet.
var unusedSnapshotters = []string{
	"io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
	"io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
}

// ctrNamespace is the containerd namespace the ctr test uses.
const ctrNamespace = "wardtest"

func TestContainerdDrivesRuntime(t *testing.T) {
	requireTools(t, "containerd", "ctr", "containerd-shim-runc-v2", "script")
	work := testdaemon.WorkDir(t, "wm-ctr-")
	rts := runtimes(t, work)
	cgroupRoot := filepath.Base(work)
	testdaemon.CleanupCgroups(t, cgroupRoot)
	start := time.Now()
	c := startContainerd(t, work, append([]string{"io.containerd.grpc.v1.cri"}, unusedSnapshotters...), "")
	if r := c.ctr(ctrNamespace, "images", "import", busyboxArchive(t, work)); r.err != nil {
		t.Fatalf("import busybox image: %v", r.err)
	}
	t.Logf("containerd up and image imported: %s", time.Since(start).Round(time.Millisecond))

	seen := map[string][]observation{}
	for _, rt := range rts {
		t.Run(rt.name, func(t *testing.T) {
			name := "wm-" + rt.name
			t.Cleanup(func() {
				c.ctr(ctrNamespace, "tasks", "kill", "--signal", "SIGKILL", name)
				c.ctr(ctrNamespace, "tasks", "rm", "--force", name)
				c.ctr(ctrNamespace, "containers", "rm", name)
			})
			seen[rt.name] = runSteps(t, rt, ctrSteps(c, rt, "/"+cgroupRoot+"/"+rt.name))
			if left := testdaemon.CgroupsUnder(cgroupRoot + "/" + rt.name); len(left) > 0 {
				t.Errorf("cgroups left after every container was removed: %v", left)
			}
		})
	}
	compareWithReference(t, seen)
}

// ctrSteps is the ctr scenario: one-shot runs (default, all capabilities
// dropped with the default seccomp profile, a memory limit, a terminal),
// then a detached container that is exec'd into, listed, paused, resumed,
// sent SIGTERM and removed.
func ctrSteps(c *containerd, rt runtimeUnderTest, cgroupParent string) []step {
	name := "wm-" + rt.name
	logPath := filepath.Join(c.work, name+".log")
	runFlags := func(id string) []string {
		return []string{"run", "--runc-binary", rt.bin, "--runc-root", filepath.Join(c.work, "runtime-root-"+rt.name),
			"--cgroup", cgroupParent + "/" + id}
	}
	output := func(args ...string) (string, error) {
		r := c.ctr(ctrNamespace, args...)
		return clean(r.stdout), r.err
	}
	oneShot := func(id string, flags []string, args ...string) func() (string, error) {
		return func() (string, error) {
			argv := append(runFlags(id), "--rm")
			argv = append(argv, flags...)
			out, err := output(append(append(argv, busyboxImage, id), args...)...)
			if err == nil && strings.TrimSpace(out) == "" {
				// ctr can lose the whole output of a process that exits at
				// once (containerd's fifo copy races the exit, whatever the
				// runtime: containerd/containerd#770, concourse#6775); the
				// container's view is what is compared, so ask again.
				out, err = output(append(append(argv, busyboxImage, id), args...)...)
			}
			if err == nil && !rt.created(id) {
				// ctr 1.6 silently runs the system runc for some flags (--uidmap does).
				err = fmt.Errorf("ctr ran %s without calling %s", id, rt.name)
			}
			return out, err
		}
	}
	status := func() (string, error) {
		out, err := output("tasks", "ls")
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); len(f) == 3 && f[0] == name {
				return f[2], err
			}
		}
		return "no task", err
	}
	return []step{
		{
			name: "run",
			do:   oneShot(name+"-1", nil, "sh", "-c", statusScript),
			want: contains("uid=0(root) gid=0(root)", "CapEff:\t"+dockerDefaultCaps, "Seccomp:\t0"),
		},
		{
			name: "run --cap-drop (every default) --seccomp",
			do:   oneShot(name+"-2", append(dropDefaultCaps(), "--seccomp"), "sh", "-c", statusScript),
			want: contains("uid=0(root)", "CapEff:\t"+noCaps, "CapBnd:\t"+noCaps, "Seccomp:\t2"),
		},
		{
			name: "run: mounts and hostname",
			do:   oneShot(name+"-4", nil, "sh", "-c", mountsScript),
			want: contains("/proc proc rw", "/dev/pts devpts rw"),
		},
		{
			name: "run -t",
			do: func() (string, error) {
				// ctr wants a terminal on its own stdin: script gives it one.
				argv := append(append(runFlags(name+"-5"), "--rm", "-t", busyboxImage, name+"-5"), "sh", "-c", "tty; id -u")
				cmd := shellQuote(append([]string{"ctr", "--address", c.socket, "--namespace", ctrNamespace}, argv...))
				r := runOpenStdin("script", "-qec", cmd, "/dev/null")
				if r.err == nil && !rt.created(name+"-5") {
					r.err = fmt.Errorf("ctr ran %s-5 without calling %s", name, rt.name)
				}
				return clean(r.stdout), r.err
			},
			want: contains("/dev/pts/0", "0"),
		},
		{
			name: "run -d",
			gate: true,
			do: func() (string, error) {
				argv := append(runFlags(name), "--detach", "--memory-limit", "67108864", "--log-uri", "file://"+logPath, busyboxImage, name,
					"sh", "-c", "trap 'echo got TERM; exit 3' TERM; echo started; sleep 1000 & wait")
				if _, err := output(argv...); err != nil {
					return "", err
				}
				return status()
			},
			want: equals("RUNNING"),
		},
		{
			name: "exec",
			do: func() (string, error) {
				return output("tasks", "exec", "--exec-id", "e1", name, "sh", "-c", statusScript+"; cat /proc/1/cmdline | tr '\\0' ' '")
			},
			want: contains("uid=0(root)", "CapEff:\t"+dockerDefaultCaps, "sh -c trap"),
		},
		{
			name: "cgroup memory limit",
			do:   func() (string, error) { return hostMemoryLimit(cgroupParent + "/" + name) },
			want: equals("67108864"),
		},
		{
			name: "ps",
			do: func() (string, error) {
				out, err := output("tasks", "ps", name)
				// PIDs vary: count the processes (header excluded).
				return fmt.Sprintf("%d processes", len(strings.Split(out, "\n"))-1), err
			},
			want: equals("2 processes"),
		},
		{
			name: "pause",
			do: func() (string, error) {
				if _, err := output("tasks", "pause", name); err != nil {
					return "", err
				}
				return status()
			},
			want: equals("PAUSED"),
		},
		{
			name: "resume",
			do: func() (string, error) {
				if _, err := output("tasks", "resume", name); err != nil {
					return "", err
				}
				return status()
			},
			want: equals("RUNNING"),
		},
		{
			name: "kill SIGTERM",
			do: func() (string, error) {
				if _, err := output("tasks", "kill", "--signal", "SIGTERM", name); err != nil {
					return "", err
				}
				waitFor(10*time.Second, func() bool { s, _ := status(); return s == "STOPPED" })
				s, err := status()
				data, _ := os.ReadFile(logPath)
				return s + "\n" + clean(string(data)), err
			},
			want: equals("STOPPED\nstarted\ngot TERM"),
		},
		{
			name: "rm",
			do: func() (string, error) {
				if _, err := output("tasks", "rm", name); err != nil {
					return "", err
				}
				return output("containers", "rm", name)
			},
		},
	}
}

// shellQuote joins argv for sh -c, each word in single quotes.
func shellQuote(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// defaultCaps are the capabilities containerd and Docker grant by default.
var defaultCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
	"CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// dropDefaultCaps returns --cap-drop flags for every default capability:
// ctr 1.6 has no --cap-drop ALL.
func dropDefaultCaps() []string {
	var out []string
	for _, c := range defaultCaps {
		out = append(out, "--cap-drop", c)
	}
	return out
}

// hostMemoryLimit reads the memory limit of a cgroup from the host: the v1
// memory controller on a hybrid host, memory.max on a unified one.
func hostMemoryLimit(cgroupPath string) (string, error) {
	for _, p := range []string{
		filepath.Join("/sys/fs/cgroup/memory", cgroupPath, "memory.limit_in_bytes"),
		filepath.Join("/sys/fs/cgroup", cgroupPath, "memory.max"),
	} {
		if data, err := os.ReadFile(p); err == nil {
			return strings.TrimSpace(string(data)), nil
		}
	}
	return "", fmt.Errorf("no memory limit file for cgroup %s", cgroupPath)
}
