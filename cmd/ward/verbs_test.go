package main

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/testutil"
)

// TestMoreVerbs: wait, top, export, port, container prune and image
// prune on real containers.
func TestMoreVerbs(t *testing.T) {
	w := newWardEnv(t)
	w.must(t, "run", "-d", "--name", "waiter", "busybox", "sh", "-c", "echo made > /made; sleep 1; exit 5")
	if got := w.must(t, "wait", "waiter"); got != "5\n" {
		t.Errorf("wait: %q", got)
	}
	if got := w.must(t, "diff", "waiter"); got != "A /made\n" {
		t.Errorf("diff: %q", got)
	}
	w.must(t, "create", "--name", "fresh", "busybox", "true")
	if got := w.must(t, "container", "wait", "fresh"); got != "0\n" {
		t.Errorf("wait of a created container: %q", got)
	}

	w.must(t, "run", "-d", "--name", "sleeper", "busybox", "sh", "-c", "sleep 1000")
	testutil.RequireTool(t, "ps") // ward top runs the host's ps, as dockerd does
	top := w.must(t, "top", "sleeper")
	lines := strings.Split(strings.TrimSpace(top), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "UID") || !strings.Contains(top, "sleep 1000") {
		t.Errorf("top:\n%s", top)
	}
	if got := w.must(t, "top", "sleeper", "-o", "pid,comm"); !strings.Contains(got, "sleep") || !strings.HasPrefix(got, "PID") {
		t.Errorf("top -o pid,comm:\n%s", got)
	}
	if _, errOut, code := w.run(t, nil, "top", "fresh"); code != 1 || !strings.Contains(errOut, "not running") {
		t.Errorf("top of a created container: exit %d, %q", code, errOut)
	}
	w.must(t, "run", "-d", "--name", "busy", "--memory", "64m", "busybox", "sh", "-c", "while :; do :; done")
	st := w.must(t, "stats", "--no-stream", "--format", "{{.Container}} {{.Name}} {{.PIDs}} {{.MemUsage}} {{.CPUPerc}}", "busy")
	if f := strings.Fields(st); len(f) != 7 || f[0] != "busy" || f[1] != "busy" || f[2] != "1" || f[5] != "64MiB" || f[6] == "0.00%" {
		t.Errorf("stats of a busy container: %q", st)
	}
	if got := w.must(t, "stats", "--no-stream"); !strings.HasPrefix(got, "CONTAINER ID   NAME ") || !strings.Contains(got, "sleeper") || !strings.Contains(got, "busy") {
		t.Errorf("stats --no-stream:\n%s", got)
	}
	w.must(t, "rm", "-f", "busy")
	// pause freezes, unpause thaws, stop ends a paused container.
	w.must(t, "run", "-d", "--name", "counter", "busybox", "sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /tmp/c; sleep 0.05; done")
	count := func() string {
		out := filepath.Join(t.TempDir(), "c")
		w.must(t, "cp", "counter:/tmp/c", out)
		data, _ := os.ReadFile(out)
		return string(data)
	}
	time.Sleep(300 * time.Millisecond)
	w.must(t, "pause", "counter")
	frozen := count()
	time.Sleep(300 * time.Millisecond)
	if again := count(); again != frozen {
		t.Errorf("paused container counted on: %q then %q", frozen, again)
	}
	if got := w.must(t, "ps", "--filter", "status=paused", "--format", "{{.Names}} {{.State}} {{.Status}}"); !strings.HasPrefix(got, "counter paused Up ") || !strings.HasSuffix(got, " (Paused)\n") {
		t.Errorf("ps of a paused container: %q", got)
	}
	if _, _, code := w.run(t, nil, "pause", "counter"); code != 1 {
		t.Errorf("pause of a paused container: exit %d", code)
	}
	w.must(t, "unpause", "counter")
	time.Sleep(300 * time.Millisecond)
	if thawed := count(); thawed == frozen {
		t.Errorf("unpaused container did not count on: %q", thawed)
	}
	if _, _, code := w.run(t, nil, "unpause", "counter"); code != 1 {
		t.Errorf("unpause of a running container: exit %d", code)
	}
	w.must(t, "pause", "counter")
	w.must(t, "stop", "-t", "1", "counter")
	if got := w.must(t, "inspect", "-f", "{{.State.Status}} {{.State.Paused}}", "counter"); got != "exited false\n" {
		t.Errorf("stop of a paused container: %q", got)
	}
	w.must(t, "rm", "counter")

	// rename, running: the new name outlives the container's end.
	w.must(t, "run", "-d", "--name", "old-name", "busybox", "sleep", "1")
	w.must(t, "rename", "old-name", "new-name")
	for _, tc := range []struct{ args []string }{{[]string{"rename", "new-name", "sleeper"}}, {[]string{"rename", "new-name", "bad/name"}}, {[]string{"rename", "nosuch", "x1"}}} {
		if _, _, code := w.run(t, nil, tc.args...); code != 1 {
			t.Errorf("%v: exit %d, want 1", tc.args, code)
		}
	}
	if got := w.must(t, "wait", "new-name"); got != "0\n" {
		t.Errorf("wait after rename: %q", got)
	}
	if got := w.must(t, "inspect", "-f", "{{.Name}} {{.State.Status}}", "new-name"); got != "/new-name exited\n" {
		t.Errorf("after its end: %q", got)
	}
	w.must(t, "rm", "new-name")
	if got := w.must(t, "port", "sleeper"); got != "" {
		t.Errorf("port with no ports: %q", got)
	}
	if _, errOut, code := w.run(t, nil, "port", "sleeper", "80"); code != 1 || !strings.Contains(errOut, "80/tcp") {
		t.Errorf("port 80: exit %d, %q", code, errOut)
	}

	// export: the container's files, its own changes included.
	out := filepath.Join(t.TempDir(), "waiter.tar")
	w.must(t, "export", "-o", out, "waiter")
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		body, _ := io.ReadAll(tr)
		names[h.Name] = string(body)
	}
	f.Close()
	if names["made"] != "made\n" || names["etc/passwd"] == "" {
		t.Errorf("export holds %d entries; made=%q", len(names), names["made"])
	}

	if got := w.must(t, "system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}}"); got != "Images 1 1\nContainers 3 1\nLocal Volumes 0 0\nBuild Cache 0 0\n" {
		t.Errorf("system df: %q", got)
	}
	if got := w.must(t, "system", "df"); !strings.HasPrefix(got, "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE\nImages          1         1         ") {
		t.Errorf("system df:\n%s", got)
	}

	// commit: the container's changes, deletions included, and --change.
	w.must(t, "run", "--name", "changer", "busybox", "sh", "-c", "echo made > /made; rm /etc/group; mkdir -p /d/e")
	id := strings.TrimSpace(w.must(t, "commit", "-m", "msg", "-c", `CMD ["cat", "/made"]`, "changer", "committed:v1"))
	if !strings.HasPrefix(id, "sha256:") {
		t.Errorf("commit printed %q", id)
	}
	if got := w.must(t, "run", "--rm", "committed:v1"); got != "made\n" {
		t.Errorf("the committed image's CMD printed %q", got)
	}
	if got, _, _ := w.run(t, nil, "run", "--rm", "committed:v1", "sh", "-c", "ls /etc/group 2>&1; ls -d /d/e; ls /etc/hostname /etc/hosts >/dev/null && echo mounts"); !strings.Contains(got, "No such file") || !strings.Contains(got, "/d/e") {
		t.Errorf("the committed image's files: %q", got)
	}
	if got := w.must(t, "image", "inspect", "-f", "{{len .RootFS.Layers}} {{json .Config.Cmd}}", "committed:v1"); got != "2 [\"cat\",\"/made\"]\n" {
		t.Errorf("committed image: %q", got)
	}
	w.must(t, "rm", "changer")
	w.must(t, "rmi", "committed:v1")

	// container prune removes what is stopped, not what runs.
	got := w.must(t, "container", "prune", "-f")
	if !strings.HasPrefix(got, "Deleted Containers:\n") || strings.Count(got, "\n") != 5 {
		t.Errorf("container prune:\n%s", got)
	}
	if ps := w.must(t, "ps", "-a", "--format", "{{.Names}}"); ps != "sleeper\n" {
		t.Errorf("after prune: %q", ps)
	}
	// Answering no prunes nothing.
	w.must(t, "create", "--name", "kept", "busybox", "true")
	if out, _, _ := w.run(t, strings.NewReader("n\n"), "container", "prune"); out != "" {
		t.Errorf("prune answered no printed %q", out)
	}
	w.must(t, "rm", "kept")

	// image prune: dangling images go; -a takes the unused ones too, never
	// one a container uses.
	tarPath := filepath.Join(t.TempDir(), "b.tar")
	writeTar(t, busyboxDir(t), tarPath)
	w.must(t, "import", "--change", "LABEL x=1", tarPath) // no tag: dangling
	w.must(t, "import", "--change", "LABEL x=2", tarPath, "spare:v1")
	if got := w.must(t, "image", "prune", "-f"); !strings.Contains(got, "deleted: sha256:") || strings.Contains(got, "spare") {
		t.Errorf("image prune:\n%s", got)
	}
	if got := w.must(t, "image", "prune", "-a", "-f"); !strings.Contains(got, "untagged: spare:v1") || strings.Contains(got, "busybox") {
		t.Errorf("image prune -a:\n%s", got)
	}
	if got := w.must(t, "images", "--format", "{{.Repository}}"); got != "busybox\n" {
		t.Errorf("images after prune: %q", got)
	}
	w.must(t, "rm", "-f", "sleeper")
	if left := w.leftovers(t); len(left) > 0 {
		t.Errorf("left %v", left)
	}
}
