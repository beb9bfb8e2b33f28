// Package network runs ward's networks end to end with real containers,
// and never on the machine's own network: each test runs the ward binary
// inside a network namespace it creates (nettest.Namespace), which plays
// the host, with a second namespace (nettest.Outside) as "the internet".
// Bridges, veths, nftables tables and sysctls all live and die in those
// namespaces; the only addresses ever dialled are theirs.
package network

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/google/nftables"

	"github.com/wardproject/ward/internal/linux/netns"
	"github.com/wardproject/ward/internal/network/nettest"
	"github.com/wardproject/ward/internal/testutil"
	"github.com/wardproject/ward/internal/testutil/imagearchive"
)

// bins are ward, ward-runtime and netprobe, built once by TestMain;
// probeDir holds only netprobe, bind-mounted into containers at /probe.
var bins struct {
	dir, ward, probeDir string
	err                 error
}

func TestMain(m *testing.M) {
	nettest.Reexec() // a program Command runs in a test namespace
	dir, err := os.MkdirTemp("", "ward-net-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bins.dir = dir
	if os.Geteuid() == 0 {
		bins.err = buildBinaries(dir)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func buildBinaries(dir string) error {
	// All that `make build` ships: ward finds the others beside itself.
	for _, name := range []string{"ward", "ward-runtime", "ward-monitor", "ward-audit"} {
		if _, err := testutil.BuildBinary(dir, name); err != nil {
			return err
		}
	}
	bins.ward = filepath.Join(dir, "ward")
	bins.probeDir = filepath.Join(dir, "probe")
	_, self, _, _ := runtime.Caller(0)
	build := exec.Command("go", "build", "-o", filepath.Join(bins.probeDir, "netprobe"), "./netprobe")
	build.Dir = filepath.Dir(self)
	build.Env = append(os.Environ(), "CGO_ENABLED=0") // static: it runs in a busybox rootfs
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("build netprobe: %w\n%s", err, out)
	}
	return nil
}

// world is one test's machine: a namespace playing the host where ward
// runs, its own ward root with a busybox image, and an outside namespace.
type world struct {
	t       testing.TB
	ns      string     // the "host" namespace
	root    string     // ward's --root
	outside string     // the "internet" namespace
	outAddr netip.Addr // its address, the host's default gateway
}

func newWorld(t testing.TB) *world {
	t.Helper()
	testutil.RequireRoot(t)
	testutil.RequireStaticBusybox(t)
	if bins.err != nil {
		t.Fatal(bins.err)
	}
	w := &world{t: t, ns: nettest.Namespace(t), root: t.TempDir()}
	w.outside, w.outAddr = nettest.Outside(t, w.ns)
	w.loadBusybox()
	// Registered after the namespaces, so it runs before they go: what a
	// failed test left is removed by ward itself, and must be removable.
	t.Cleanup(func() {
		out, _, _ := w.ward("ps", "-aq")
		for _, id := range strings.Fields(out) {
			w.ward("rm", "-f", id)
		}
		for _, n := range w.userNetworks() {
			w.ward("network", "rm", n)
		}
	})
	return w
}

// loadBusybox gives ward a busybox image exposing 80/tcp (for -P);
// benchmarks, which imagearchive does not serve, import a plain rootfs.
func (w *world) loadBusybox() {
	t, ok := w.t.(*testing.T)
	if !ok {
		dir := filepath.Join(w.t.TempDir(), "rootfs")
		testutil.BusyboxRootfs(w.t, dir)
		tarPath := filepath.Join(w.t.TempDir(), "busybox.tar")
		if out, err := exec.Command("tar", "-C", dir, "-cf", tarPath, ".").CombinedOutput(); err != nil {
			w.t.Fatalf("tar: %v: %s", err, out)
		}
		w.must("import", tarPath, "busybox")
		return
	}
	archive := filepath.Join(t.TempDir(), "busybox.tar")
	layer := imagearchive.BusyboxLayer(t,
		"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n", "root:x:0:\nnogroup:x:65534:\n")
	imagearchive.Write(t, archive, "busybox:latest", layer,
		v1.ImageConfig{Cmd: []string{"sh"}, ExposedPorts: map[string]struct{}{"80/tcp": {}}})
	w.must("load", "-q", "-i", archive)
}

// ward runs the ward binary inside the host namespace, with no default
// network set by the environment or a config file, as a fresh machine.
func (w *world) ward(args ...string) (string, string, int) {
	w.t.Helper()
	cmd := nettest.Command(w.t, w.ns, bins.ward, append([]string{"--root", w.root}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "WARD_CONFIG=" + filepath.Join(w.root, "no-config.json")}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		w.t.Fatalf("ward %v: %v", args, err)
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

// must runs ward and fails the test unless it exits 0.
func (w *world) must(args ...string) string {
	w.t.Helper()
	out, errOut, code := w.ward(args...)
	if code != 0 {
		w.t.Fatalf("ward %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// withProbe is flags, the netprobe mount and the busybox image, ready for
// a netprobe command line.
func withProbe(flags ...string) []string {
	return append(append(flags, "-v", bins.probeDir+":/probe:ro"), "busybox", "/probe/netprobe")
}

// serve starts a detached container serving proto on port, and waits
// until it answers from inside (so that policies cannot delay it).
func (w *world) serve(name string, flags []string, proto string, port int) {
	w.t.Helper()
	w.must(append([]string{"run", "-d", "--name", name}, append(withProbe(flags...), "serve", proto, fmt.Sprint(port))...)...)
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		out, _, _ := w.ward("exec", name, "/probe/netprobe", "dial", proto, fmt.Sprintf("127.0.0.1:%d", port))
		if strings.Contains(out, " ok ") {
			return
		}
		if time.Since(start) > 5*time.Second {
			w.t.Fatalf("container %s does not serve %s/%d: %q", name, proto, port, out)
		}
	}
}

// dial runs a one-off container with flags that dials each target
// ("tcp 1.2.3.4:80") and returns each target's outcome: "ok", "blocked",
// "refused" or "error".
func (w *world) dial(flags []string, targets ...string) map[string]string {
	w.t.Helper()
	args := append([]string{"run", "--rm"}, withProbe(flags...)...)
	args = append(args, "dial")
	for _, tg := range targets {
		args = append(args, strings.Fields(tg)...)
	}
	return outcomes(w.t, w.must(args...))
}

// exec dials from a running container.
func (w *world) execDial(name string, targets ...string) map[string]string {
	w.t.Helper()
	args := []string{"exec", name, "/probe/netprobe", "dial"}
	for _, tg := range targets {
		args = append(args, strings.Fields(tg)...)
	}
	return outcomes(w.t, w.must(args...))
}

func outcomes(t testing.TB, out string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			t.Fatalf("netprobe printed %q", out)
		}
		got[f[0]+" "+f[1]] = f[2]
	}
	return got
}

// inspect is the part of `ward inspect` these tests read.
type inspect struct {
	ID              string `json:"Id"`
	NetworkSettings struct {
		SandboxKey string
		IPAddress  string
		Ports      map[string][]struct{ HostIp, HostPort string }
		Networks   map[string]struct {
			IPAddress   string
			Gateway     string
			IPPrefixLen int
			MacAddress  string
		}
		Policy struct{ Egress, Ingress string }
	}
	HostConfig struct {
		NetworkMode string
	}
}

func (w *world) inspect(name string) inspect {
	w.t.Helper()
	var got []inspect
	if err := json.Unmarshal([]byte(w.must("inspect", name)), &got); err != nil || len(got) != 1 {
		w.t.Fatalf("inspect %s: %v", name, err)
	}
	return got[0]
}

// ip is a container's address on a network.
func (w *world) ip(name, network string) string {
	w.t.Helper()
	n, ok := w.inspect(name).NetworkSettings.Networks[network]
	if !ok || n.IPAddress == "" {
		w.t.Fatalf("container %s has no address on network %s", name, network)
	}
	return n.IPAddress
}

// networkView is the part of `ward network inspect` these tests read.
type networkView struct {
	Name       string
	Internal   bool
	IPAM       struct{ Config []map[string]string }
	Containers map[string]struct{ Name, IPv4Address string }
	Options    map[string]string
}

func (w *world) network(name string) networkView {
	w.t.Helper()
	var got []networkView
	if err := json.Unmarshal([]byte(w.must("network", "inspect", name)), &got); err != nil || len(got) != 1 {
		w.t.Fatalf("network inspect %s: %v", name, err)
	}
	return got[0]
}

func (w *world) userNetworks() []string {
	out, _, _ := w.ward("network", "ls", "-q")
	var names []string
	for _, n := range strings.Fields(out) {
		if n != "bridge" && n != "host" && n != "none" {
			names = append(names, n)
		}
	}
	return names
}

// hasLink tells whether the host namespace has an interface of that name.
func (w *world) hasLink(name string) bool {
	w.t.Helper()
	found := false
	err := netns.Do(w.ns, func() error {
		_, err := net.InterfaceByName(name)
		found = err == nil
		return nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return found
}

// tables lists ward's nftables tables in the host namespace.
func (w *world) tables() []string {
	w.t.Helper()
	var names []string
	err := netns.Do(w.ns, func() error {
		conn, err := nftables.New()
		if err != nil {
			return err
		}
		list, err := conn.ListTables()
		if err != nil {
			return err
		}
		for _, tb := range list {
			names = append(names, tb.Name)
		}
		return nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return names
}

// echoOutside starts an echo server in the outside namespace and returns
// its address, HOST:PORT.
func (w *world) echoOutside(proto string) string {
	return nettest.Echo(w.t, w.outside, proto, w.outAddr.String()+":0").String()
}

// netnsLinks lists the host namespace's interfaces.
func netnsLinks(w *world, out *[]string) {
	w.t.Helper()
	err := netns.Do(w.ns, func() error {
		ifs, err := net.Interfaces()
		for _, i := range ifs {
			*out = append(*out, i.Name)
		}
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
}
