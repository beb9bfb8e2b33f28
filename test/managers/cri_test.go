package managers

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/testutil/imagearchive"

	"github.com/wardproject/ward/internal/testutil/testdaemon"
)

// crictlVersion is the cri-tools release the test builds crictl from.
const crictlVersion = "v1.34.0"

// crictlBinary finds crictl: $WARD_CRICTL, then PATH, then a cached build,
// and otherwise builds it with go install into the cache (about 45 s the
// first time, through the Go module proxy).
func crictlBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("WARD_CRICTL"); p != "" {
		return p
	}
	if p, err := exec.LookPath("crictl"); err == nil {
		return p
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skipf("skipped: no cache directory to build crictl into: %v", err)
	}
	gobin := filepath.Join(cache, "ward-managers", "crictl-"+crictlVersion)
	bin := filepath.Join(gobin, "crictl")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("skipped: crictl is not installed and go is missing to build it")
	}
	start := time.Now()
	build := exec.Command("go", "install", "sigs.k8s.io/cri-tools/cmd/crictl@"+crictlVersion)
	build.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=-mod=mod")
	build.Dir = os.TempDir()
	if out, err := build.CombinedOutput(); err != nil {
		t.Skipf("skipped: crictl is not installed and go install failed (GOBIN=%s go install sigs.k8s.io/cri-tools/cmd/crictl@%s): %v\n%s",
			gobin, crictlVersion, err, out)
	}
	t.Logf("built crictl %s in %s", crictlVersion, time.Since(start).Round(time.Second))
	return bin
}

// criConfig is the CRI plugin's section of the containerd config: one
// runtime handler per runtime under test, each a runc shim whose options
// name the runtime as BinaryName; the pause image the test imports; pod
// network namespaces mounted under the state directory; CNI from the
// test's own directories.
//
// restrict_oom_score_adj: kubelet's sandbox asks for oom_score_adj -998,
// which needs CAP_SYS_RESOURCE, and no process on this host has it; the
// option clamps it to containerd's own score, as on a rootless node.
const criConfig = `
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %[1]q
  netns_mounts_under_state_dir = true
  restrict_oom_score_adj = true
  disable_apparmor = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %[2]q
    conf_dir = %[3]q
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = %[4]q
%[5]s`

const criRuntime = `    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.%[1]s]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.%[1]s.options]
        BinaryName = %[2]q
        Root = %[3]q
`

// fakeCNIPlugin is a CNI plugin that configures nothing and reports an
// address (from the documentation range, never routed) on the interface
// it was asked for. containerd 1.6's CRI plugin refuses pods without a CNI
// network ("cni config uninitialized") and then takes the pod IP from
// eth0's result; this gives it both, so the pod gets its own network
// namespace, as on a real node, without a bridge or any packet sent. It
// also stands in for the loopback plugin containerd always adds.
const fakeCNIPlugin = `#!/bin/sh
conf=$(cat)
version=$(printf '%s' "$conf" | sed -n 's/.*"cniVersion" *: *"\([^"]*\)".*/\1/p' | head -n 1)
case "$CNI_COMMAND" in
ADD)
	if [ "$CNI_IFNAME" = lo ]; then
		printf '{"cniVersion":"%s","interfaces":[{"name":"lo","sandbox":"%s"}],"ips":[]}' "$version" "$CNI_NETNS"
	else
		printf '{"cniVersion":"%s","interfaces":[{"name":"%s","sandbox":"%s"}],"ips":[{"version":"4","address":"192.0.2.2/24","interface":0}]}' "$version" "$CNI_IFNAME" "$CNI_NETNS"
	fi ;;
VERSION)
	printf '{"cniVersion":"0.4.0","supportedVersions":["0.3.0","0.3.1","0.4.0"]}' ;;
esac
exit 0
`

const cniNetwork = `{"cniVersion":"0.4.0","name":"ward-test","plugins":[{"type":"ward-test-net"}]}`

// cri is containerd with its CRI plugin, driven by crictl.
type cri struct {
	*containerd
	crictl string
	config string
}

func (c *cri) run(args ...string) result {
	ep := "unix://" + c.socket
	return run(nil, append([]string{c.crictl, "--config", c.config, "--runtime-endpoint", ep, "--image-endpoint", ep,
		"--timeout", "60s"}, args...)...)
}

func startCRI(t *testing.T, work string, rts []runtimeUnderTest) *cri {
	t.Helper()
	cniBin, cniConf := filepath.Join(work, "cni", "bin"), filepath.Join(work, "cni", "conf")
	for _, d := range []string{cniBin, cniConf} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"ward-test-net", "loopback"} {
		if err := os.WriteFile(filepath.Join(cniBin, name), []byte(fakeCNIPlugin), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(cniConf, "10-ward-test.conflist"), []byte(cniNetwork), 0o644); err != nil {
		t.Fatal(err)
	}
	var handlers strings.Builder
	for _, rt := range rts {
		fmt.Fprintf(&handlers, criRuntime, rt.name, rt.bin, filepath.Join(work, "runtime-root-"+rt.name))
	}
	extra := fmt.Sprintf(criConfig, pauseImage, cniBin, cniConf, rts[0].name, handlers.String())
	c := &cri{crictl: crictlBinary(t), config: filepath.Join(work, "crictl.yaml")}
	if err := os.WriteFile(c.config, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	c.containerd = startContainerd(t, work, unusedSnapshotters, extra)
	return c
}

func TestCRIDrivesRuntime(t *testing.T) {
	requireTools(t, "containerd", "ctr", "containerd-shim-runc-v2", "script")
	work := testdaemon.WorkDir(t, "wm-cri-")
	rts := runtimes(t, work)
	cgroupRoot := filepath.Base(work)
	testdaemon.CleanupCgroups(t, cgroupRoot)
	c := startCRI(t, work, rts)
	start := time.Now()
	for _, archive := range []string{busyboxArchive(t, work), pauseArchive(t, work)} {
		if r := c.ctr("k8s.io", "images", "import", archive); r.err != nil {
			t.Fatalf("import %s: %v", archive, r.err)
		}
	}
	t.Logf("images built and imported: %s", time.Since(start).Round(time.Millisecond))

	seen := map[string][]observation{}
	for _, rt := range rts {
		t.Run(rt.name, func(t *testing.T) {
			p := &pod{cri: c, rt: rt, dir: filepath.Join(work, "pod-"+rt.name), cgroupParent: "/" + cgroupRoot + "/" + rt.name + "/pod"}
			p.writeConfigs(t)
			t.Cleanup(p.remove)
			seen[rt.name] = runSteps(t, rt, p.steps())
			// The pod's own cgroup is kubelet's to remove; the containers' are the runtime's.
			if left := testdaemon.CgroupsUnder(cgroupRoot + "/" + rt.name + "/pod"); len(left) > 0 {
				t.Errorf("container cgroups left after the pod was removed: %v", left)
			}
		})
	}
	compareWithReference(t, seen)
}

// pod is one pod sandbox with one app container, run by one runtime.
type pod struct {
	*cri
	rt           runtimeUnderTest
	dir          string
	cgroupParent string
	podID, ctrID string
}

// Pod and container configs as kubelet would send them (JSON for crictl).
func (p *pod) writeConfigs(t *testing.T) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(p.dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	podConfig := map[string]any{
		"metadata":      map[string]any{"name": "wm-pod", "namespace": "wardtest", "uid": "wm-uid-" + p.rt.name},
		"hostname":      "wm-pod",
		"log_directory": filepath.Join(p.dir, "logs"),
		"linux": map[string]any{
			"cgroup_parent": p.cgroupParent,
			// kubelet's default: pod network, ipc and uts; a pid namespace per container.
			"security_context": map[string]any{"namespace_options": map[string]any{"pid": 1}},
		},
	}
	ctrConfig := map[string]any{
		"metadata": map[string]any{"name": "app"},
		"image":    map[string]any{"image": busyboxImage},
		"command":  []string{"/bin/sh", "-c", "trap 'echo got TERM; exit 0' TERM; echo started; sleep 1000 & wait"},
		"log_path": "app.log",
		"linux": map[string]any{
			"resources": map[string]any{"memory_limit_in_bytes": 134217728, "cpu_shares": 512},
			"security_context": map[string]any{
				"namespace_options": map[string]any{"pid": 1},
				// RuntimeDefault; containerd 1.6 reads the older field, not seccomp.profile_type.
				"seccomp_profile_path": "runtime/default",
			},
		},
	}
	for name, v := range map[string]any{"pod.json": podConfig, "container.json": ctrConfig} {
		if err := os.WriteFile(filepath.Join(p.dir, name), imagearchive.MustJSON(t, v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// remove stops and removes whatever is left of the pod, for cleanup.
func (p *pod) remove() {
	if p.podID != "" {
		p.run("stopp", p.podID)
		p.run("rmp", "--force", p.podID)
	}
}

// inspection is the part of `crictl inspect[p] -o json` the steps read.
type inspection struct {
	Status struct {
		State    string `json:"state"`
		ExitCode int    `json:"exitCode"`
	} `json:"status"`
	Info struct {
		Pid         int `json:"pid"`
		RuntimeSpec struct {
			Linux struct {
				CgroupsPath string          `json:"cgroupsPath"`
				Seccomp     json.RawMessage `json:"seccomp"`
			} `json:"linux"`
		} `json:"runtimeSpec"`
	} `json:"info"`
}

func (p *pod) inspect(verb, id string) (inspection, error) {
	var in inspection
	r := p.run(verb, "-o", "json", id)
	if r.err != nil {
		return in, r.err
	}
	if err := json.Unmarshal([]byte(r.stdout), &in); err != nil {
		return in, fmt.Errorf("crictl %s %s: %w", verb, id, err)
	}
	return in, nil
}

func (p *pod) output(args ...string) (string, error) {
	r := p.run(args...)
	return clean(r.stdout), r.err
}

// steps is the kubelet-like pod lifecycle: sandbox, app container joining
// its namespaces, exec, logs, update of resources, stop and removal.
func (p *pod) steps() []step {
	podJSON, ctrJSON := filepath.Join(p.dir, "pod.json"), filepath.Join(p.dir, "container.json")
	ctrState := func() (string, error) {
		in, err := p.inspect("inspect", p.ctrID)
		return fmt.Sprintf("%s exit=%d", in.Status.State, in.Status.ExitCode), err
	}
	return []step{
		{
			name: "runp",
			gate: true,
			do: func() (string, error) {
				id, err := p.output("runp", "--runtime", p.rt.name, podJSON)
				if err != nil {
					return "", err
				}
				p.podID = id
				in, err := p.inspect("inspectp", id)
				return in.Status.State, err
			},
			want: equals("SANDBOX_READY"),
		},
		{
			name: "sandbox process",
			do: func() (string, error) {
				in, err := p.inspect("inspectp", p.podID)
				if err != nil {
					return "", err
				}
				return hostProcStatus(in.Info.Pid)
			},
			want: contains("Uid:\t65535\t65535\t65535\t65535", "Gid:\t65535\t65535\t65535\t65535", "NoNewPrivs:\t1"),
		},
		{
			name: "create and start",
			gate: true,
			do: func() (string, error) {
				id, err := p.output("create", p.podID, ctrJSON, podJSON)
				if err != nil {
					return "", err
				}
				p.ctrID = id
				if _, err := p.output("start", id); err != nil {
					return "", err
				}
				return ctrState()
			},
			want: equals("CONTAINER_RUNNING exit=0"),
		},
		{
			name: "joins the sandbox's namespaces",
			do: func() (string, error) {
				sandbox, err := p.inspect("inspectp", p.podID)
				if err != nil {
					return "", err
				}
				var b strings.Builder
				for _, ns := range []string{"ipc", "uts", "net", "pid", "mnt"} {
					inside, err := p.output("exec", "-s", p.ctrID, "readlink", "/proc/self/ns/"+ns)
					if err != nil {
						return "", err
					}
					host, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", sandbox.Info.Pid, ns))
					if err != nil {
						return "", err
					}
					fmt.Fprintf(&b, "%s shared=%t\n", ns, inside == host)
				}
				hostname, err := p.output("exec", "-s", p.ctrID, "hostname")
				return b.String() + "hostname " + hostname, err
			},
			want: equals("ipc shared=true\nuts shared=true\nnet shared=true\npid shared=false\nmnt shared=false\nhostname wm-pod"),
		},
		{
			name: "exec",
			do: func() (string, error) {
				in, err := p.inspect("inspect", p.ctrID)
				if err != nil {
					return "", err
				}
				out, err := p.output("exec", "-s", p.ctrID, "sh", "-c", statusScript)
				return fmt.Sprintf("%s\nspec has seccomp: %t", out, len(in.Info.RuntimeSpec.Linux.Seccomp) > 0), err
			},
			want: contains("uid=0(root)", "CapEff:\t"+dockerDefaultCaps, "Seccomp:\t2", "spec has seccomp: true"),
		},
		{
			// Without -s crictl goes through the CRI streaming server (on
			// 127.0.0.1), as kubectl exec does; with -s, ExecSync, as probes do.
			name: "exec (streaming, with a terminal)",
			do: func() (string, error) {
				// crictl wants -i with -t and a terminal of its own: script
				// gives it one. Its stdin stays open and silent: at EOF script
				// would type into the pty, racing with the output.
				cmd := shellQuote([]string{p.crictl, "--config", p.config, "--runtime-endpoint", "unix://" + p.socket,
					"exec", "-it", p.ctrID, "sh", "-c", "tty; id -u"})
				r := runOpenStdin("script", "-qec", cmd, "/dev/null")
				return clean(r.stdout), r.err
			},
			want: equals("/dev/pts/0\n0"),
		},
		{
			name: "logs",
			do:   func() (string, error) { return p.output("logs", p.ctrID) },
			want: equals("started"),
		},
		{
			name: "update",
			do: func() (string, error) {
				in, err := p.inspect("inspect", p.ctrID)
				if err != nil {
					return "", err
				}
				before, err := hostMemoryLimit(in.Info.RuntimeSpec.Linux.CgroupsPath)
				if err != nil {
					return "", err
				}
				if _, err := p.output("update", "--memory", "67108864", p.ctrID); err != nil {
					return "", err
				}
				after, err := hostMemoryLimit(in.Info.RuntimeSpec.Linux.CgroupsPath)
				return "memory " + before + " -> " + after, err
			},
			want: equals("memory 134217728 -> 67108864"),
		},
		{
			name: "stop",
			do: func() (string, error) {
				if _, err := p.output("stop", "--timeout", "10", p.ctrID); err != nil {
					return "", err
				}
				s, err := ctrState()
				if err != nil {
					return s, err
				}
				logs, err := p.output("logs", p.ctrID)
				return s + "\n" + logs, err
			},
			want: equals("CONTAINER_EXITED exit=0\nstarted\ngot TERM"),
		},
		{
			name: "rm",
			do:   func() (string, error) { return "", p.run("rm", p.ctrID).err },
		},
		{
			name: "stopp",
			do: func() (string, error) {
				if _, err := p.output("stopp", p.podID); err != nil {
					return "", err
				}
				in, err := p.inspect("inspectp", p.podID)
				return in.Status.State, err
			},
			want: equals("SANDBOX_NOTREADY"),
		},
		{
			name: "rmp",
			do: func() (string, error) {
				if _, err := p.output("rmp", p.podID); err != nil {
					return "", err
				}
				p.podID = ""
				return "", nil
			},
		},
	}
}

// hostProcStatus returns the identity, capability and seccomp lines of a
// process's status, read from the host.
func hostProcStatus(pid int) (string, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "", err
	}
	var keep []string
	for _, l := range strings.Split(string(data), "\n") {
		for _, k := range []string{"Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:", "NoNewPrivs:", "Seccomp:"} {
			if strings.HasPrefix(l, k) {
				keep = append(keep, l)
			}
		}
	}
	return strings.Join(keep, "\n"), nil
}
