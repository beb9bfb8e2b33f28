package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/wardproject/ward/internal/image/store"
)

// TestKillAnywhere SIGKILLs ward at random points of run, run -d, rm,
// import, load and pull, then checks that every ward command still works,
// that nothing shown as running is dead, and that one rm -f of what is
// listed plus one system prune leave nothing behind: no mount, process,
// cgroup, runtime state or snapshot (the tests run without networks, so
// there is no namespace or firewall rule to leave). The image store is
// never in need of repair: every image's blobs are there.
//
// WARD_KILL_TEST sets the number of kills (CI: 200; default 12).
func TestKillAnywhere(t *testing.T) {
	w := newWardEnv(t)
	want := 12
	if n, err := strconv.Atoi(os.Getenv("WARD_KILL_TEST")); err == nil && n > 0 {
		want = n
	}
	reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer reg.Close()
	remote := strings.TrimPrefix(reg.URL, "http://") + "/kill/bb:v1"
	w.must(t, "tag", "busybox", remote)
	w.must(t, "push", remote)
	dir := t.TempDir()
	archive := filepath.Join(dir, "bb.tar")
	w.must(t, "save", "-o", archive, "busybox")
	rootfsTar := filepath.Join(dir, "rootfs.tar")
	writeTar(t, busyboxDir(t), rootfsTar)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 12))
	ops := []struct {
		name string
		args func() []string
	}{
		{"run --rm", func() []string { return []string{"run", "--rm", "busybox", "sh", "-c", "sleep 0.2"} }},
		{"run -d", func() []string { return []string{"run", "-d", "busybox", "sleep", "30"} }},
		{"rm -f", func() []string {
			ids := strings.Fields(w.must(t, "ps", "-aq"))
			if len(ids) == 0 {
				return []string{"run", "-d", "busybox", "sleep", "30"}
			}
			return []string{"rm", "-f", ids[rng.IntN(len(ids))]}
		}},
		{"import", func() []string { return []string{"import", rootfsTar, fmt.Sprintf("imported:%d", rng.IntN(4))} }},
		{"load", func() []string { return []string{"load", "-i", archive} }},
		{"pull", func() []string {
			w.run(t, nil, "rmi", "-f", remote)
			return []string{"pull", remote}
		}},
	}
	kills, found := 0, 0
	perOp := map[string]int{}
	for attempt := 0; kills < want && attempt < want*10; attempt++ {
		op := ops[rng.IntN(len(ops))]
		cmd := exec.Command(w.bin, append([]string{"--root", w.root}, op.args()...)...)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Most verbs take tens of milliseconds on a quiet machine and
		// several times that on a loaded one: mostly short delays, some long.
		delay := rng.IntN(120)
		if rng.IntN(4) == 0 {
			delay = rng.IntN(400)
		}
		time.Sleep(time.Duration(delay) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			kills++
			perOp[op.name]++
		}
		w.assertTruthful(t)
		if kills%25 == 0 || kills >= want {
			found += w.cleanUpAndCheck(t)
		}
	}
	// A runtime that a killed ward started may still be creating: give it
	// time to finish or fail, then look again.
	time.Sleep(3 * time.Second)
	found += w.cleanUpAndCheck(t)
	w.assertStoreWhole(t)
	t.Logf("kills: %d %v; leftovers found by prune: %d; leftovers after cleanup: 0", kills, perOp, found)
	if kills < want {
		t.Errorf("only %d kills landed in %d attempts", kills, want*10)
	}
}

// assertTruthful: ward ps and images work, and every container shown as
// running has a live process.
func (w *wardEnv) assertTruthful(t *testing.T) {
	t.Helper()
	w.must(t, "images")
	for _, id := range strings.Fields(w.must(t, "ps", "-q")) {
		out, _, code := w.run(t, nil, "inspect", id)
		if code != 0 {
			continue // removed meanwhile (--rm)
		}
		var got []inspected
		if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 {
			t.Fatalf("inspect %s: %v", id, err)
		}
		if got[0].State.Running && !alive(got[0].State.Pid) {
			// Its monitor may be recording the end right now: it gets a
			// moment, as `ward stop` gives it.
			if !w.shownStoppedWithin(t, id, 10*time.Second) {
				t.Errorf("container %s shown running with a dead process %d", id, got[0].State.Pid)
			}
		}
	}
}

func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i > 0 && i+2 < len(stat) && stat[i+2] != 'Z'
}

// cleanUpAndCheck removes every container listed, prunes, and checks
// that nothing is left; it returns how many leftovers prune found.
func (w *wardEnv) cleanUpAndCheck(t *testing.T) int {
	t.Helper()
	if ids := strings.Fields(w.must(t, "ps", "-aq")); len(ids) > 0 {
		if _, errOut, code := w.run(t, nil, append([]string{"rm", "-f"}, ids...)...); code != 0 {
			find, _ := exec.Command("find", filepath.Join(w.root, "snapshots"), "-maxdepth", "4", "-ls").CombinedOutput()
			mounts, _ := os.ReadFile("/proc/self/mountinfo")
			t.Fatalf("rm -f: %s\nsnapshots:\n%s\nmounts under the root:\n%s", errOut, find, grepLines(string(mounts), w.root))
		}
	}
	out := w.must(t, "system", "prune", "-f")
	found := 0
	section := ""
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasSuffix(line, ":"):
			section = line
		case line == "":
		case strings.HasPrefix(line, "Killed processes"):
			found += len(strings.Fields(strings.Trim(strings.TrimPrefix(line, "Killed processes left in them: "), "[]")))
		case section != "Deleted Containers:":
			found++ // an orphan, a cgroup or a mount no command reached
		}
	}
	var left []string
	left = append(left, w.leftovers(t)...)
	if cgs, _ := filepath.Glob("/sys/fs/cgroup/*/ward/*"); len(cgs) > 0 {
		// Only this root's IDs are ours to judge: any ID in its records.
		for _, cg := range cgs {
			if _, err := os.Stat(filepath.Join(w.root, "containers", filepath.Base(cg))); err == nil {
				left = append(left, cg)
			}
		}
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		for _, link := range []string{"root", "cwd"} {
			if p, err := os.Readlink("/proc/" + e.Name() + "/" + link); err == nil && strings.HasPrefix(p, w.root+"/") {
				left = append(left, "process "+e.Name()+" "+link+" "+p)
			}
		}
		// A process in a container's mount namespace shows its own root
		// and cwd; what it holds open (an init's exec fifo) shows ours.
		fds, _ := os.ReadDir("/proc/" + e.Name() + "/fd")
		for _, fd := range fds {
			if p, err := os.Readlink("/proc/" + e.Name() + "/fd/" + fd.Name()); err == nil && strings.HasPrefix(p, w.root+"/") {
				left = append(left, "process "+e.Name()+" holds "+p)
			}
		}
	}
	if len(left) > 0 {
		t.Fatalf("left after rm -f and system prune: %v\nprune said:\n%s", left, out)
	}
	w.must(t, "run", "--rm", "busybox", "true") // and ward still runs containers
	return found
}

// assertStoreWhole: every image's config, manifest and layers are there.
func (w *wardEnv) assertStoreWhole(t *testing.T) {
	t.Helper()
	s, err := store.Open(filepath.Join(w.root, "images"))
	if err != nil {
		t.Fatal(err)
	}
	imgs, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range imgs {
		for _, l := range img.Layers {
			if rc, err := s.OpenLayer(l); err != nil {
				t.Errorf("image %s: layer %s: %v", img.ID, l.Digest, err)
			} else {
				rc.Close()
			}
		}
		if _, err := s.ConfigFile(img); err != nil {
			t.Errorf("image %s: %v", img.ID, err)
		}
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// shownStoppedWithin waits until inspect no longer shows the container
// running (or it is gone).
func (w *wardEnv) shownStoppedWithin(t *testing.T, id string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		out, _, code := w.run(t, nil, "inspect", id)
		if code != 0 || !strings.Contains(out, `"Running": true`) {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}
