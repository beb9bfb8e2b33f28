package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestUsernsIdmapBind: under --userns auto a plain bind of a root-owned
// host directory is nobody's inside and cannot be written; with :idmap
// the container's root owns it and its writes are the host's root's.
// After rm no idmapped mount is left.
func TestUsernsIdmapBind(t *testing.T) {
	e := newEngine(t)
	data := filepath.Join(e.dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "f"), []byte("host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := "stat -c %u:%g /data/f; echo in > /data/new 2>/dev/null && echo wrote || echo refused"
	plain := e.must("run", "--rm", "--network", "none", "--userns", "auto", "-v", data+":/data", "probe:1", "sh", "-c", script)
	if plain != "65534:65534\nrefused\n" {
		t.Errorf("plain bind: %q, want nobody's and not writable", plain)
	}
	if _, err := os.Stat(filepath.Join(data, "new")); err == nil {
		t.Fatal("a plain bind was written by the container's root")
	}
	mapped := e.must("run", "--rm", "--network", "none", "--userns", "auto", "-v", data+":/data:idmap", "probe:1", "sh", "-c", script)
	if mapped != "0:0\nwrote\n" {
		t.Errorf("idmap bind: %q, want root's and writable", mapped)
	}
	var st = mustStat(t, filepath.Join(data, "new"))
	if st.Uid != 0 || st.Gid != 0 {
		t.Errorf("the idmapped write is owned by %d:%d on the host, want 0:0", st.Uid, st.Gid)
	}
	// Read-only with idmap too.
	if out := e.must("run", "--rm", "--network", "none", "--userns", "auto", "-v", data+":/data:ro,idmap", "probe:1", "sh", "-c", "stat -c %u /data/f; touch /data/x 2>/dev/null || echo ro"); out != "0\nro\n" {
		t.Errorf("idmap,ro: %q", out)
	}
	mountinfo, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(mountinfo), filepath.Join(e.root, "idmapped")) {
		t.Errorf("idmapped mounts left after --rm:\n%s", mountinfo)
	}
	if left, _ := os.ReadDir(filepath.Join(e.root, "idmapped")); len(left) != 0 {
		t.Errorf("idmapped directories left: %v", left)
	}
}

// TestUsernsIdmapRefused: :idmap of /, a system path, a parent of one,
// ward's root or a socket exits 125 with one line and leaves nothing;
// without --userns auto it is refused as well.
func TestUsernsIdmapRefused(t *testing.T) {
	e := newEngine(t)
	sock := filepath.Join(e.dir, "d.sock")
	l, err := netListenUnix(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, tc := range []struct{ src, want string }{
		{"/", "system path"},
		{"/etc", "system path"},
		{"/var", "system path"},
		{"/usr/share", "system path"},
		{e.root, "system path"},
		{sock, "only a directory"},
	} {
		_, err := e.run("run", "--rm", "--network", "none", "--userns", "auto", "-v", tc.src+":/x:idmap", "probe:1", "true")
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 125 || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("-v %s:/x:idmap: %v, want exit 125 naming %q", tc.src, err, tc.want)
			continue
		}
		msg := err.Error()[strings.Index(err.Error(), ": ward")+1:]
		if n := strings.Count(strings.TrimSpace(msg), "\n"); n > 0 {
			t.Errorf("-v %s:/x:idmap: %d lines of error: %q", tc.src, n+1, msg)
		}
	}
	_, err = e.run("run", "--rm", "--network", "none", "--userns", "host", "-v", e.dir+":/x:idmap", "probe:1", "true")
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 125 || !strings.Contains(err.Error(), "--userns auto") {
		t.Errorf("idmap under --userns host: %v", err)
	}
	if out := e.must("ps", "-aq"); strings.TrimSpace(out) != "" {
		t.Errorf("refused runs left containers: %q", out)
	}
	mountinfo, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(mountinfo), e.root) {
		t.Errorf("refused runs left mounts")
	}
}

func mustStat(t *testing.T, p string) *syscall.Stat_t {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t)
}

func netListenUnix(p string) (net.Listener, error) { return net.Listen("unix", p) }

// TestUsernsVolumeOwnedByMappedRoot: a named volume made for a --userns
// auto container is its root's inside (writable) and, on the host, owned
// by the uid and gid its root maps to; a volume made before keeps the
// host's root as owner, which is nobody inside.
func TestUsernsVolumeOwnedByMappedRoot(t *testing.T) {
	e := newEngine(t)
	id := strings.TrimSpace(e.must("run", "-d", "--network", "none", "--userns", "auto", "-v", "fresh:/v", "probe:1",
		"sh", "-c", "stat -c %u:%g /v; echo in > /v/x && echo wrote; sleep 600"))
	defer e.run("rm", "-f", id)
	var out string
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		if out = e.must("logs", id); strings.Count(out, "\n") >= 2 || time.Since(start) > 5*time.Second {
			break
		}
	}
	if out != "0:0\nwrote\n" {
		t.Errorf("inside the fresh volume: %q, want root's and writable", out)
	}
	var insp []struct {
		HostConfig struct {
			IDMappings struct{ UidMap, GidMap []string }
		}
	}
	if err := json.Unmarshal([]byte(e.must("inspect", id)), &insp); err != nil || len(insp) != 1 {
		t.Fatalf("inspect: %v", err)
	}
	var wantUID, wantGID uint32
	fmt.Sscanf(insp[0].HostConfig.IDMappings.UidMap[0], "0:%d:", &wantUID)
	fmt.Sscanf(insp[0].HostConfig.IDMappings.GidMap[0], "0:%d:", &wantGID)
	if wantUID == 0 || wantGID == 0 {
		t.Fatalf("mapping %+v", insp[0].HostConfig.IDMappings)
	}
	data := filepath.Join(e.root, "volumes", "fresh", "_data")
	if st := mustStat(t, data); st.Uid != wantUID || st.Gid != wantGID {
		t.Errorf("the volume is %d:%d on the host, want the mapped root %d:%d", st.Uid, st.Gid, wantUID, wantGID)
	}
	if st := mustStat(t, filepath.Join(data, "x")); st.Uid != wantUID {
		t.Errorf("the container's write is uid %d on the host, want %d", st.Uid, wantUID)
	}

	e.must("volume", "create", "before")
	if out := e.must("run", "--rm", "--network", "none", "--userns", "auto", "-v", "before:/v", "probe:1",
		"sh", "-c", "stat -c %u /v; touch /v/x 2>/dev/null || echo refused"); out != "65534\nrefused\n" {
		t.Errorf("inside a volume made before: %q, want nobody's", out)
	}
}

// TestUsernsIdmapBindAfterReboot: when a stopped container's idmapped
// clone is gone (as after a reboot), start mounts it again, so the
// container does not get an empty directory; rm leaves nothing.
func TestUsernsIdmapBindAfterReboot(t *testing.T) {
	e := newEngine(t)
	data := filepath.Join(e.dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "f"), []byte("host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(e.must("run", "-d", "--network", "none", "--userns", "auto", "-v", data+":/data:idmap", "probe:1", "sleep", "600"))
	full := strings.TrimSpace(e.must("inspect", "-f", "{{.Id}}", id))
	e.must("stop", "-t", "1", id)
	staged := filepath.Join(e.root, "idmapped", full, "0")
	if err := unix.Unmount(staged, unix.MNT_DETACH); err != nil {
		t.Fatalf("the idmapped clone %s: %v", staged, err)
	}
	e.must("start", id)
	if out := e.must("exec", id, "stat", "-c", "%u", "/data/f"); out != "0\n" {
		t.Errorf("after the clone was remade: %q, want the host file, root's", out)
	}
	e.must("rm", "-f", id)
	mountinfo, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(mountinfo), filepath.Join(e.root, "idmapped")) {
		t.Errorf("idmapped mounts left after rm")
	}
	if _, err := os.Stat(filepath.Join(e.root, "idmapped", full)); err == nil {
		t.Errorf("the container's idmapped directory is left after rm")
	}
	if _, err := os.Stat(filepath.Join(data, "f")); err != nil {
		t.Errorf("rm touched the host directory: %v", err)
	}
}

// TestUsernsIdmapBindJudgedAsHostPath: --policy judges a -v SRC:DST:idmap
// as a bind of SRC (the spec's annotation), not of ward's idmapped clone:
// restricted refuses the writable host path naming SRC, and the refused
// run leaves no mount.
func TestUsernsIdmapBindJudgedAsHostPath(t *testing.T) {
	e := newEngine(t)
	data := filepath.Join(e.dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := e.run("run", "--rm", "--network", "none", "--userns", "auto", "--policy", "restricted", "--cap-drop", "ALL",
		"--security-opt", "no-new-privileges", "--read-only", "-v", data+":/data:idmap", "probe:1", "true")
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 125 || !strings.Contains(err.Error(), "WD150") || !strings.Contains(err.Error(), data) {
		t.Errorf("restricted with a writable idmapped bind: %v, want 125 naming WD150 and %s", err, data)
	}
	if strings.Contains(err.Error(), filepath.Join(e.root, "idmapped")) {
		t.Errorf("the judge saw ward's clone, not the host path: %v", err)
	}
	mountinfo, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(mountinfo), filepath.Join(e.root, "idmapped")) {
		t.Errorf("a refused run left idmapped mounts")
	}
}
