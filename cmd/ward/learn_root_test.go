package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/learnprofile"
	"github.com/wardproject/ward/internal/runspec"
	"github.com/wardproject/ward/internal/scan/scantest"
	"github.com/wardproject/ward/internal/testutil"
)

// httpdImage imports a busybox image with httpd, a page owned by the
// non-root user www (1000) and the static attack helper
// (testdata/attack.c, see attackKit), as "httpd".
func httpdImage(t *testing.T, w *wardEnv) {
	t.Helper()
	dir := busyboxDir(t)
	if err := os.Symlink("busybox", filepath.Join(dir, "bin", "httpd")); err != nil {
		t.Fatal(err)
	}
	attackKit(t, dir, 1000, 1000)
	for name, content := range map[string]string{
		"etc/passwd":     "root:x:0:0:root:/root:/bin/sh\nwww:x:1000:1000:www:/www:/bin/false\n",
		"etc/group":      "root:x:0:\nwww:x:1000:\n",
		"www/index.html": "hello from httpd\n",
	} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(filepath.Join(dir, "www", "index.html"), 1000, 1000); err != nil {
		t.Fatal(err)
	}
	tarPath := filepath.Join(t.TempDir(), "httpd.tar")
	writeTar(t, dir, tarPath)
	if out, stderr, code := w.run(t, nil, "import", tarPath, "httpd"); code != 0 {
		t.Fatalf("import: exit %d: %s %s", code, out, stderr)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// httpdExercise waits for the server, then fetches the page 5 times with
// the host's busybox wget: the client is on the host side of loopback.
func httpdExercise(port string) string {
	url := "http://127.0.0.1:" + port + "/index.html"
	return fmt.Sprintf(`for i in $(seq 100); do timeout 5 %[1]s wget -q -O /dev/null %[2]s 2>/dev/null && break; sleep 0.05; done
for i in 1 2 3 4 5; do timeout 5 %[1]s wget -q -O- %[2]s | grep -q "hello from httpd" || exit 1; done`, testutil.BusyboxPath, url)
}

// dockerAllowed counts the system calls Docker's default profile allows
// with Docker's default capabilities.
func dockerAllowed(t *testing.T) int {
	s, err := runspec.DockerSeccomp(runspec.DefaultCapabilities)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, r := range s.Syscalls {
		if r.Action == "SCMP_ACT_ALLOW" {
			for _, n := range r.Names {
				names[n] = true
			}
		}
	}
	return len(names)
}

// learnAndReplay learns runArgs (ward run's line) with its exercise into
// profile and checks issue 14's acceptance: no capability outside
// allowedCaps (none for a non-root workload on a high port), a read-only root with at most 4 writable
// paths, at most 30% of Docker's default system calls, and the exercise
// passing 5 times out of 5 under ward run --profile.
func learnAndReplay(t *testing.T, w *wardEnv, profile, exercise string, runArgs []string, allowedCaps ...string) *learnprofile.Profile {
	t.Helper()
	_, stderr, code := w.run(t, nil, append([]string{"learn", "-o", profile, "--exercise", exercise}, runArgs...)...)
	if code == 125 && strings.Contains(stderr, "learning needs") {
		t.Skipf("skipped: %s", stderr)
	}
	if code != 0 {
		t.Fatalf("ward learn: exit %d: %s", code, stderr)
	}
	t.Logf("%s", strings.TrimSpace(stderr))
	p, err := learnprofile.Read(profile)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Capabilities {
		if !slices.Contains(allowedCaps, c) {
			t.Errorf("capabilities %v: %s is not among the ones this workload needs at most, %v", p.Capabilities, c, allowedCaps)
		}
	}
	if !p.ReadOnlyRoot || len(p.WritablePaths) > 4 {
		t.Errorf("read-only root %v, writable paths %v: want a read-only root and at most 4", p.ReadOnlyRoot, p.WritablePaths)
	}
	calls, err := p.AllowedSyscalls()
	if err != nil {
		t.Fatal(err)
	}
	docker := dockerAllowed(t)
	t.Logf("the profile allows %d system calls, Docker's default %d (%.0f%%)", len(calls), docker, 100*float64(len(calls))/float64(docker))
	if len(calls)*10 > docker*3 {
		t.Errorf("the profile allows %d system calls, more than 30%% of Docker's %d", len(calls), docker)
	}
	for i := 0; i < 5; i++ {
		out, stderr, code := w.run(t, nil, append([]string{"run", "-d", "--profile", profile}, runArgs...)...)
		if code != 0 {
			t.Fatalf("replay %d: ward run --profile: exit %d: %s", i+1, code, stderr)
		}
		id := strings.TrimSpace(out)
		ex, err := exec.Command("sh", "-c", exercise).CombinedOutput()
		w.run(t, nil, "rm", "-f", id)
		if err != nil {
			t.Fatalf("replay %d: the exercise failed under the profile: %v: %s", i+1, err, ex)
		}
	}
	return p
}

// Issue 14's busybox httpd workload, learned as the non-root user www on
// port 8080-style high port: the profile keeps no capability, allows at
// most 30% of Docker's system calls, passes its exercise 5 times out of 5
// under `ward run --profile`, refuses an image of another digest, and
// blocks at least 9 of 10 attack steps the exercise never took.
func TestLearnBusyboxHttpd(t *testing.T) {
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	w := newWardEnv(t)
	httpdImage(t, w)
	port := freePort(t)
	exercise := httpdExercise(port)
	runArgs := []string{"--network", "host", "--user", "1000:1000", "httpd", "httpd", "-f", "-p", "127.0.0.1:" + port, "-h", "/www"}
	profile := filepath.Join(t.TempDir(), "httpd.json")

	p := learnAndReplay(t, w, profile, exercise, runArgs)
	if p.User != "1000:1000" {
		t.Errorf("user %q, want 1000:1000", p.User)
	}

	// ward learn --verify replays the same command line: it passes, and a
	// profile without bind(2) fails with 1, naming the exercise's status.
	if _, stderr, code := w.run(t, nil, append([]string{"learn", "--verify", profile, "--exercise", exercise}, runArgs...)...); code != 0 {
		t.Errorf("learn --verify: exit %d: %s", code, stderr)
	}
	broken := *p
	var sec learnprofile.Seccomp
	if err := json.Unmarshal(p.Seccomp, &sec); err != nil {
		t.Fatal(err)
	}
	sec.Syscalls[0].Names = slices.DeleteFunc(sec.Syscalls[0].Names, func(n string) bool { return n == "bind" })
	var err error
	if broken.Seccomp, err = json.Marshal(sec); err != nil {
		t.Fatal(err)
	}
	brokenFile := filepath.Join(t.TempDir(), "nobind.json")
	if err := broken.Write(brokenFile); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := w.run(t, nil, append([]string{"learn", "--verify", brokenFile, "--exercise", exercise}, runArgs...)...); code != 1 || !strings.Contains(stderr, "the exercise exited") {
		t.Errorf("learn --verify of a profile without bind: exit %d, %s; want 1 naming the exercise", code, stderr)
	}

	// Bound to the image's digest: another image is refused before anything runs.
	if _, stderr, code := w.run(t, nil, "run", "--rm", "--profile", profile, "busybox", "true"); code != 125 || !strings.Contains(stderr, "learned on image") {
		t.Errorf("--profile on another image: exit %d, %s; want 125 naming the image", code, stderr)
	}

	attackSteps(t, w, "httpd", "1000:1000", profile)
	if left := w.leftovers(t); len(left) > 0 {
		t.Errorf("learning left %v", left)
	}
}

// A root workload that writes one directory: the profile makes the root
// read-only with a noexec tmpfs there, keeps only the capabilities the
// replay shows it needs, and the same shell cannot write elsewhere.
func TestLearnWritablePaths(t *testing.T) {
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	w := newWardEnv(t)
	profile := filepath.Join(t.TempDir(), "p.json")
	script := "mkdir -p /var/cache/app && echo cached > /var/cache/app/a && cat /var/cache/app/a"
	_, stderr, code := w.run(t, nil, "learn", "-o", profile, "busybox", "sh", "-c", script)
	if code == 125 && strings.Contains(stderr, "learning needs") {
		t.Skipf("skipped: %s", stderr)
	}
	if code != 0 {
		t.Fatalf("ward learn: exit %d: %s", code, stderr)
	}
	t.Logf("%s", strings.TrimSpace(stderr))
	p, err := learnprofile.Read(profile)
	if err != nil {
		t.Fatal(err)
	}
	if !p.ReadOnlyRoot || len(p.WritablePaths) != 1 || p.WritablePaths[0].Path != "/var/cache/app" || p.WritablePaths[0].Exec {
		t.Errorf("read-only %v, writable %+v: want a read-only root and a noexec /var/cache/app", p.ReadOnlyRoot, p.WritablePaths)
	}
	// It ran as root needing no capability: the replay as the image's
	// nobody passes (the tmpfs is world-writable), so the profile drops root.
	if p.User != "65534:65534" {
		t.Errorf("user %q: want the image's nobody, 65534:65534", p.User)
	}
	if out, stderr, code := w.run(t, nil, "run", "--rm", "--profile", profile, "busybox", "sh", "-c", script+" && cat /proc/self/status"); code != 0 || strings.Fields(out)[0] != "cached" || !strings.Contains(out, "Uid:\t65534") {
		t.Errorf("the workload under its profile: exit %d, %q, %s", code, out, stderr)
	}
	if _, _, code := w.run(t, nil, "run", "--rm", "--profile", profile, "busybox", "sh", "-c", "echo x > /etc/evil"); code == 0 {
		t.Error("a write to /etc passed under a profile that learned only /var/cache/app")
	}
	// --convert prints the equivalent flags, running nothing.
	out, stderr, code := w.run(t, nil, "learn", "--convert", profile, "--format", "flags")
	want := "--cap-drop ALL --user 65534:65534 --read-only --tmpfs /var/cache/app:rw,nosuid,nodev,noexec --security-opt seccomp=" + strings.TrimSuffix(profile, ".json") + "-seccomp.json" +
		" --egress deny-all" // learned on --network none: no connection seen
	if code != 0 || strings.TrimSpace(out) != want {
		t.Errorf("learn --convert: exit %d, %q, %s; want %q", code, out, stderr, want)
	}
	out, _, code = w.run(t, nil, "learn", "--convert", profile, "--format", "seccomp")
	var sec learnprofile.Seccomp
	if err := json.Unmarshal([]byte(out), &sec); code != 0 || err != nil || sec.DefaultAction != "SCMP_ACT_ERRNO" {
		t.Errorf("learn --convert --format seccomp: exit %d, %v: %s", code, err, out)
	}

	// A failing workload writes no profile and exits 1.
	failed := filepath.Join(t.TempDir(), "failed.json")
	if _, stderr, code := w.run(t, nil, "learn", "-o", failed, "busybox", "false"); code != 1 || !strings.Contains(stderr, "no profile written") {
		t.Errorf("learning a failing workload: exit %d, %s; want 1", code, stderr)
	}
	if _, err := os.Stat(failed); err == nil {
		t.Error("a failing workload left a profile")
	}
	// Every run's cgroups are gone, the one ward made in advance to
	// observe the container included; the exercise sees the container's ID.
	ids := filepath.Join(t.TempDir(), "ids")
	if _, stderr, code := w.run(t, nil, "learn", "-o", filepath.Join(t.TempDir(), "sleep.json"), "--exercise", "echo $WARD_CONTAINER_ID >> "+ids,
		"busybox", "sleep", "30"); code != 0 {
		t.Fatalf("learn with an exercise: exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(ids)
	if err != nil || len(strings.Fields(string(data))) < 2 {
		t.Fatalf("the exercise saw WARD_CONTAINER_ID %q (%v): want one per run, learning and replays", data, err)
	}
	for _, id := range strings.Fields(string(data)) {
		left, _ := filepath.Glob("/sys/fs/cgroup/*/ward/" + id)
		if len(left) > 0 {
			t.Errorf("run %s left cgroups %v", id, left)
		}
	}

	// Bad usage is ward's own failure.
	if _, stderr, code := w.run(t, nil, "learn", "busybox", "true"); code != 125 || !strings.Contains(stderr, "-o PROFILE") {
		t.Errorf("learn without -o: exit %d, %s", code, stderr)
	}
	if left := w.leftovers(t); len(left) > 0 {
		t.Errorf("learning left %v", left)
	}
}

// debImage imports name: Debian 12's minbase plus pkgs from Debian's
// packages (apt-get download, dpkg-deb -x with /lib, /bin and /sbin
// merged into /usr as minbase has them), the extra files and the attack
// steps' kit (attackKit) for the workload's uid and gid. It returns the
// rootfs, kept until the test ends.
func debImage(t *testing.T, w *wardEnv, name string, uid, gid int, extra map[string]string, pkgs ...string) string {
	t.Helper()
	rootfs := debRootfs(t, extra, pkgs...)
	attackKit(t, rootfs, uid, gid)
	tarPath := filepath.Join(t.TempDir(), name+".tar")
	if out, err := exec.Command("tar", "-C", rootfs, "--numeric-owner", "-cf", tarPath, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v: %s", err, out)
	}
	if out, stderr, code := w.run(t, nil, "import", tarPath, name); code != 0 {
		t.Fatalf("import: exit %d: %s %s", code, out, stderr)
	}
	return rootfs
}

// debRootfs is debImage's root filesystem: minbase, pkgs and extra.
func debRootfs(t *testing.T, extra map[string]string, pkgs ...string) string {
	t.Helper()
	testutil.RequireTool(t, "apt-get")
	testutil.RequireTool(t, "dpkg-deb")
	minbase := scantest.MinbaseRootfs(t)
	debs := t.TempDir()
	os.Chmod(debs, 0o777) // apt's _apt user downloads into it
	get := exec.Command("apt-get", append([]string{"download"}, pkgs...)...)
	get.Dir = debs
	if out, err := get.CombinedOutput(); err != nil {
		t.Skipf("skipped: apt-get download %v failed (no Debian mirror?): %v: %s", pkgs, err, out)
	}
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	if out, err := exec.Command("cp", "-a", minbase, rootfs).CombinedOutput(); err != nil {
		t.Fatalf("copy minbase: %v: %s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(debs, "*.deb"))
	for _, deb := range files {
		x := filepath.Join(t.TempDir(), "x")
		if out, err := exec.Command("dpkg-deb", "-x", deb, x).CombinedOutput(); err != nil {
			t.Fatalf("dpkg-deb -x %s: %v: %s", deb, err, out)
		}
		for _, top := range []string{"lib", "lib64", "bin", "sbin"} {
			if _, err := os.Stat(filepath.Join(x, top)); err == nil {
				os.MkdirAll(filepath.Join(x, "usr", top), 0o755)
				if out, err := exec.Command("cp", "-a", filepath.Join(x, top)+"/.", filepath.Join(x, "usr", top)).CombinedOutput(); err != nil {
					t.Fatalf("merge /%s: %v: %s", top, err, out)
				}
				os.RemoveAll(filepath.Join(x, top))
			}
		}
		if out, err := exec.Command("cp", "-a", x+"/.", rootfs).CombinedOutput(); err != nil {
			t.Fatalf("install %s: %v: %s", deb, err, out)
		}
	}
	for file, content := range extra {
		os.MkdirAll(filepath.Dir(filepath.Join(rootfs, file)), 0o755)
		if err := os.WriteFile(filepath.Join(rootfs, file), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return rootfs
}

// Issue 14's `python3 -m http.server` workload as uid 1000 on a high
// port, exercised by the host's busybox wget.
func TestLearnPythonHTTPServer(t *testing.T) {
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	w := newWardEnv(t)
	debImage(t, w, "python", 1000, 1000, nil, "python3.11-minimal", "libpython3.11-minimal", "libpython3.11-stdlib", "libexpat1")
	port := freePort(t)
	url := "http://127.0.0.1:" + port + "/"
	exercise := fmt.Sprintf(`for i in $(seq 200); do timeout 5 %[1]s wget -q -O /dev/null %[2]s 2>/dev/null && break; sleep 0.05; done
for i in 1 2 3 4 5; do timeout 5 %[1]s wget -q -O- %[2]s | grep -q "Directory listing for /" || exit 1; done`, testutil.BusyboxPath, url)
	runArgs := []string{"--network", "host", "--user", "1000:1000", "python", "python3.11", "-m", "http.server", port, "--bind", "127.0.0.1", "--directory", "/etc"}
	profile := filepath.Join(t.TempDir(), "python.json")
	learnAndReplay(t, w, profile, exercise, runArgs)
	attackSteps(t, w, "python", "1000:1000", profile)
	if left := w.leftovers(t); len(left) > 0 {
		t.Errorf("learning left %v", left)
	}
}

// Issue 14's redis-server workload as uid 1000 on a high port, exercised
// by the image's own redis-benchmark run on the host side (chroot into
// the image's rootfs, in the host's network namespace).
func TestLearnRedis(t *testing.T) {
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	w := newWardEnv(t)
	rootfs := debImage(t, w, "redis", 1000, 1000, nil, "redis-server", "redis-tools", "libssl3", "libatomic1", "libjemalloc2", "liblzf1")
	port := freePort(t)
	exercise := fmt.Sprintf(`for i in $(seq 200); do chroot %[1]s redis-cli -p %[2]s ping 2>/dev/null | grep -q PONG && break; sleep 0.05; done
chroot %[1]s redis-benchmark -p %[2]s -n 2000 -c 4 -q -t set,get,incr,lpush,lpop </dev/null || exit 1
chroot %[1]s redis-cli -p %[2]s set ward:learn ok >/dev/null && chroot %[1]s redis-cli -p %[2]s get ward:learn | grep -qx ok`, rootfs, port)
	runArgs := []string{"--network", "host", "--user", "1000:1000", "redis", "redis-server", "--port", port, "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--protected-mode", "no"}
	profile := filepath.Join(t.TempDir(), "redis.json")
	learnAndReplay(t, w, profile, exercise, runArgs)
	attackSteps(t, w, "redis", "1000:1000", profile)
	if left := w.leftovers(t); len(left) > 0 {
		t.Errorf("learning left %v", left)
	}
}

// Issue 14's nginx workload: Debian's nginx as root, its workers dropping
// to www-data, on a high loopback port. It may keep at most
// NET_BIND_SERVICE, SETUID, SETGID and CHOWN.
func TestLearnNginx(t *testing.T) {
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	w := newWardEnv(t)
	port := freePort(t)
	conf := `user www-data;
worker_processes 2;
pid /run/nginx.pid;
error_log stderr;
events { worker_connections 64; }
http {
	access_log /var/log/nginx/access.log;
	server { listen 127.0.0.1:` + port + `; root /var/www/html; }
}
`
	debImage(t, w, "nginx", 0, 0, map[string]string{"etc/nginx/nginx.conf": conf, "var/www/html/index.html": "hello from nginx\n"},
		"nginx", "nginx-common", "libpcre2-8-0", "libssl3")
	url := "http://127.0.0.1:" + port + "/index.html"
	exercise := fmt.Sprintf(`for i in $(seq 200); do timeout 5 %[1]s wget -q -O /dev/null %[2]s 2>/dev/null && break; sleep 0.05; done
for i in 1 2 3 4 5; do timeout 5 %[1]s wget -q -O- %[2]s | grep -q "hello from nginx" || exit 1; done`, testutil.BusyboxPath, url)
	runArgs := []string{"--network", "host", "nginx", "nginx", "-g", "daemon off;"}
	profile := filepath.Join(t.TempDir(), "nginx.json")
	p := learnAndReplay(t, w, profile, exercise, runArgs,
		"CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID", "CAP_CHOWN")
	t.Logf("nginx keeps %v of %v granted; writable %v", p.Capabilities, p.ObservedCapabilities, p.WritablePaths)
	// The master runs as root: so does the attacker, with the
	// capabilities the profile keeps.
	attackSteps(t, w, "nginx", "", profile)
	if left := w.leftovers(t); len(left) > 0 {
		t.Errorf("learning left %v", left)
	}
}
