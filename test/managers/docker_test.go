package managers

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/testutil/testdaemon"
)

// dockerd is a Docker daemon started by the test with the runtimes under
// test registered by --add-runtime.
type dockerd struct {
	client string
	socket string
	env    []string
}

func (d *dockerd) docker(args ...string) result {
	return run(d.env, append([]string{d.client, "-H", "unix://" + d.socket}, args...)...)
}

// startDockerd starts a dockerd of the test's own (testdaemon.StartDockerd)
// that knows the runtimes under test.
func startDockerd(t *testing.T, work string, rts []runtimeUnderTest) *dockerd {
	t.Helper()
	client := testdaemon.DockerClient()
	if client == "" {
		t.Skip("skipped: the docker client is not installed (apt-get install docker.io)")
	}
	var extra []string
	for _, rt := range rts {
		extra = append(extra, "--add-runtime", rt.name+"="+rt.bin)
	}
	return &dockerd{client: client, socket: testdaemon.StartDockerd(t, work, extra...),
		env: []string{"DOCKER_CONFIG=" + filepath.Join(work, "client")}}
}

func TestDockerDrivesRuntime(t *testing.T) {
	requireTools(t, "dockerd", "containerd", "containerd-shim-runc-v2")
	work := testdaemon.WorkDir(t, "wm-docker-")
	rts := runtimes(t, work)
	cgroupRoot := filepath.Base(work)
	testdaemon.CleanupCgroups(t, cgroupRoot)
	start := time.Now()
	d := startDockerd(t, work, rts)
	if r := d.docker("load", "-i", busyboxArchive(t, work)); r.err != nil {
		t.Fatalf("load busybox image: %v", r.err)
	}
	t.Logf("dockerd up and image loaded: %s", time.Since(start).Round(time.Millisecond))

	volume := filepath.Join(work, "volume")
	if err := os.MkdirAll(volume, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(volume, "hello"), []byte("from the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	seen := map[string][]observation{}
	for _, rt := range rts {
		t.Run(rt.name, func(t *testing.T) {
			// A failed step can leave the long-running container behind.
			t.Cleanup(func() { d.docker("rm", "-f", "wm-"+rt.name) })
			seen[rt.name] = runSteps(t, rt, dockerSteps(d, rt, "/"+cgroupRoot+"/"+rt.name, volume))
			if left := testdaemon.CgroupsUnder(cgroupRoot + "/" + rt.name); len(left) > 0 {
				t.Errorf("cgroups left after every container was removed: %v", left)
			}
		})
	}
	compareWithReference(t, seen)
}

// dockerSteps is the Docker scenario: one-shot runs with and without
// dropped capabilities and a user, a terminal, then a long-running
// container that is exec'd into, listed, paused, resumed and stopped.
func dockerSteps(d *dockerd, rt runtimeUnderTest, cgroupParent, volume string) []step {
	name := "wm-" + rt.name
	runArgs := []string{"run", "--runtime", rt.name, "--network", "none", "--cgroup-parent", cgroupParent}
	output := func(args ...string) (string, error) {
		r := d.docker(args...)
		return clean(r.stdout), r.err
	}
	state := func() (string, error) {
		return output("inspect", "-f", "{{.State.Status}} exit={{.State.ExitCode}}", name)
	}
	return []step{
		{
			name: "run",
			do: func() (string, error) {
				return output(append(runArgs, "--rm", busyboxImage, "sh", "-c", statusScript)...)
			},
			want: contains("uid=0(root) gid=0(root)", "CapEff:\t"+dockerDefaultCaps, "CapBnd:\t"+dockerDefaultCaps, "Seccomp:\t2"),
		},
		{
			name: "run --cap-drop ALL --user 1001",
			do: func() (string, error) {
				return output(append(runArgs, "--rm", "--cap-drop", "ALL", "--user", "1001", busyboxImage, "sh", "-c", statusScript)...)
			},
			want: contains("uid=1001 gid=0(root)", "CapPrm:\t"+noCaps, "CapEff:\t"+noCaps, "CapBnd:\t"+noCaps, "Seccomp:\t2"),
		},
		{
			name: "run: exit code",
			do: func() (string, error) {
				r := d.docker(append(runArgs, "--rm", busyboxImage, "sh", "-c", "echo out; echo err >&2; exit 7")...)
				code := 0
				if ee, ok := errors.AsType[*exec.ExitError](r.err); ok {
					code = ee.ExitCode()
				} else if r.err != nil {
					return "", r.err
				}
				return fmt.Sprintf("%s\n%s\nexit %d", clean(r.stdout), clean(r.stderr), code), nil
			},
			want: equals("out\nerr\nexit 7"),
		},
		{
			name: "run -i: stdin",
			do: func() (string, error) {
				r := runInput(d.env, "line one\nline two\n", append([]string{d.client, "-H", "unix://" + d.socket},
					append(runArgs, "--rm", "-i", busyboxImage, "wc", "-l")...)...)
				return clean(r.stdout), r.err
			},
			want: equals("2"),
		},
		{
			name: "run: seccomp denies unshare",
			do: func() (string, error) {
				return output(append(runArgs, "--rm", busyboxImage, "sh", "-c", "unshare -U true 2>&1; echo rc=$?")...)
			},
			want: contains("Operation not permitted", "rc=1"),
		},
		{
			name: "run --user 1001 --cap-add NET_ADMIN",
			do: func() (string, error) {
				return output(append(runArgs, "--rm", "--user", "1001", "--cap-add", "NET_ADMIN", busyboxImage, "sh", "-c", statusScript)...)
			},
			// A non-root user keeps only the bounding set: Docker puts no ambient capabilities.
			want: contains("uid=1001", "CapEff:\t"+noCaps, "CapBnd:\t00000000a80435fb"),
		},
		{
			name: "run --read-only --tmpfs /tmp -v HOST:/data:ro",
			do: func() (string, error) {
				return output(append(runArgs, "--rm", "--read-only", "--tmpfs", "/tmp", "-v", volume+":/data:ro", busyboxImage,
					"sh", "-c", "cat /data/hello; touch /x 2>&1; touch /data/x 2>&1; touch /tmp/x && echo tmp writable")...)
			},
			want: equals("from the host\ntouch: /x: Read-only file system\ntouch: /data/x: Read-only file system\ntmp writable"),
		},
		{
			name: "run: mounts and hostname",
			do: func() (string, error) {
				return output(append(runArgs, "--rm", "--hostname", "wm-host", busyboxImage, "sh", "-c", mountsScript)...)
			},
			want: contains("wm-host", "/proc proc rw", "/sys sysfs ro", "/dev/pts devpts rw"),
		},
		{
			name: "run -t",
			do: func() (string, error) {
				return output(append(runArgs, "--rm", "-t", busyboxImage, "sh", "-c", "tty; stty size; id -u")...)
			},
			want: contains("/dev/pts/0", "0"),
		},
		{
			name: "run -d",
			gate: true,
			do: func() (string, error) {
				if _, err := output(append(runArgs, "-d", "--name", name, "--memory", "64m", "--pids-limit", "64", "--cpus", "0.5", busyboxImage,
					"sh", "-c", "trap 'echo got TERM; exit 3' TERM; echo started; sleep 1000 & wait")...); err != nil {
					return "", err
				}
				return state()
			},
			want: equals("running exit=0"),
		},
		{
			name: "exec",
			do: func() (string, error) {
				return output("exec", name, "sh", "-c", statusScript+"; cat /proc/1/cmdline | tr '\\0' ' '")
			},
			want: contains("uid=0(root)", "CapEff:\t"+dockerDefaultCaps, "Seccomp:\t2", "sh -c trap"),
		},
		{
			name: "exec --user 1001",
			do:   func() (string, error) { return output("exec", "--user", "1001", name, "sh", "-c", statusScript) },
			want: contains("uid=1001", "CapEff:\t"+noCaps),
		},
		{
			name: "exec: cgroup limits",
			do:   func() (string, error) { return output("exec", name, "sh", "-c", limitsScript) },
			want: equals("memory 67108864\npids 64\ncpu 50000/100000"),
		},
		{
			name: "exec -t",
			do:   func() (string, error) { return output("exec", "-t", name, "tty") },
			want: contains("/dev/pts/"),
		},
		{
			name: "top",
			do: func() (string, error) {
				out, err := output("top", name, "-o", "pid,args")
				return topCommands(out), err
			},
			want: contains("sleep 1000"),
		},
		{
			name: "pause",
			do: func() (string, error) {
				if _, err := output("pause", name); err != nil {
					return "", err
				}
				return state()
			},
			want: equals("paused exit=0"),
		},
		{
			name: "unpause",
			do: func() (string, error) {
				if _, err := output("unpause", name); err != nil {
					return "", err
				}
				s, err := state()
				if err != nil {
					return s, err
				}
				alive, err := output("exec", name, "echo", "alive")
				return s + "\n" + alive, err
			},
			want: equals("running exit=0\nalive"),
		},
		{
			name: "stop",
			do: func() (string, error) {
				if _, err := output("stop", "-t", "10", name); err != nil {
					return "", err
				}
				s, err := state()
				if err != nil {
					return s, err
				}
				logs, err := output("logs", name)
				return s + "\n" + logs, err
			},
			// Exit code 3 means the container's init got the SIGTERM.
			want: equals("exited exit=3\nstarted\ngot TERM"),
		},
		{
			name: "rm",
			do: func() (string, error) {
				_, err := output("rm", name)
				return "", err
			},
		},
	}
}

// topCommands keeps the command column of `docker top -o pid,args`,
// sorted: PIDs differ between runs.
func topCommands(out string) string {
	lines := strings.Split(out, "\n")
	var cmds []string
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) > 1 {
			cmds = append(cmds, strings.Join(f[1:], " "))
		}
	}
	sort.Strings(cmds)
	return strings.Join(cmds, "\n")
}
