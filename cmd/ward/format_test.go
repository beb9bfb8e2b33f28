package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/wardproject/ward/internal/testutil"
)

// TestFormatsAndFilters runs Docker users' --format templates and
// --filter keys on ps, images and the inspect verbs over real records.
func TestFormatsAndFilters(t *testing.T) {
	w := newWardEnv(t)
	tarPath := filepath.Join(t.TempDir(), "busybox.tar")
	writeTar(t, busyboxDir(t), tarPath)
	w.must(t, "import", "--change", "LABEL tier=db", tarPath, "labeled:v1")

	// Oldest first: web (exits 3), db (labeled, created), cache (created).
	if _, _, code := w.run(t, nil, "run", "--name", "web", "busybox", "sh", "-c", "exit 3"); code != 3 {
		t.Fatalf("run web: exit %d", code)
	}
	w.must(t, "create", "--name", "db", "labeled:v1", "true")
	w.must(t, "create", "--name", "cache", "busybox", "true")
	webID := strings.TrimSpace(w.must(t, "inspect", "-f", "{{.Id}}", "web"))

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ps", "-a", "--format", "{{.Names}}"}, "cache\ndb\nweb\n"},
		{[]string{"ps", "--format", "{{.Names}}"}, ""}, // none running
		{[]string{"ps", "-a", "--filter", "name=web", "--format", "{{.Names}} {{.State}}"}, "web exited\n"},
		{[]string{"ps", "-a", "-f", "name=^/?(db|cache)$", "--format", "{{.Names}}"}, "cache\ndb\n"},
		{[]string{"ps", "-a", "--filter", "label=tier=db", "--format", `{{.Names}} {{.Label "tier"}} {{.Labels}}`}, "db db tier=db\n"},
		{[]string{"ps", "-a", "--filter", "label=tier", "--filter", "name=cache", "-q"}, ""},
		// status implies -a, as in Docker.
		{[]string{"ps", "--filter", "status=exited", "--format", "{{.Names}}"}, "web\n"},
		{[]string{"ps", "--filter", "status=created", "--filter", "status=exited", "--format", "{{.Names}}"}, "cache\ndb\nweb\n"},
		{[]string{"ps", "-a", "--filter", "exited=3", "--format", "{{.Names}} {{truncate .Status 10}}"}, "web Exited (3)\n"},
		{[]string{"ps", "-a", "--filter", "exited=0", "-q"}, ""},
		{[]string{"ps", "-a", "--filter", "ancestor=labeled:v1", "--format", "{{.Names}} {{.Image}}"}, "db labeled:v1\n"},
		{[]string{"ps", "-a", "--filter", "ancestor=busybox", "--format", "{{.Names}}"}, "cache\nweb\n"},
		{[]string{"ps", "-a", "--filter", "before=db", "--format", "{{.Names}}"}, "web\n"},
		{[]string{"ps", "-a", "--filter", "since=web", "--format", "{{.Names}}"}, "cache\ndb\n"},
		{[]string{"ps", "--filter", "since=web", "--format", "{{.Names}}"}, ""}, // since does not imply -a, as in Docker
		{[]string{"ps", "-a", "--filter", "id=" + webID[:8], "--format", "{{.ID}}"}, webID[:12] + "\n"},
		{[]string{"ps", "-a", "--filter", "id=" + webID[:8], "--no-trunc", "--format", "{{.ID}}"}, webID + "\n"},
		{[]string{"ps", "-a", "--filter", "health=none", "--filter", "name=web", "-q"}, webID[:12] + "\n"},
		{[]string{"ps", "-a", "--filter", "health=healthy", "-q"}, ""},
		{[]string{"ps", "-a", "--filter", "network=none", "--filter", "name=web", "--format", "{{.Networks}}"}, "none\n"},
		{[]string{"ps", "-a", "-n", "2", "--format", "{{.Names}}"}, "cache\ndb\n"},
		{[]string{"ps", "-l", "--format", "{{.Names}}"}, "cache\n"},
		{[]string{"ps", "-a", "--filter", "name=web", "--format", `table {{.Names}}\t{{upper .State}}`}, "NAMES     STATE\nweb       EXITED\n"},
		{[]string{"ps", "--format", `table {{.ID}}\t{{.Names}}`}, "CONTAINER ID   NAMES\n"},
		{[]string{"inspect", "-f", "{{.Name}} {{.State.Status}} {{.State.ExitCode}}", "web", "db"}, "/web exited 3\n/db created 0\n"},
		{[]string{"inspect", "--format", "{{.Config.Labels.tier}} {{json .Config.Labels}}", "db"}, `db {"tier":"db"}` + "\n"},
		{[]string{"inspect", "-f", "{{.ID}} {{join .Args \",\"}}", "web"}, webID + " -c,exit 3\n"},
		{[]string{"images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", "reference=lab*"}, "labeled:v1\n"},
		{[]string{"images", "--filter", "label=tier=db", "--format", "{{.Repository}}"}, "labeled\n"},
		{[]string{"images", "--filter", "dangling=true", "-q"}, ""},
		{[]string{"images", "--format", `table {{.Repository}}\t{{.Tag}}`, "busybox"}, "REPOSITORY   TAG\nbusybox      latest\n"},
		{[]string{"network", "inspect", "-f", "{{.Name}} {{.Driver}}", "none", "host"}, "none null\nhost host\n"},
		{[]string{"network", "ls", "--filter", "type=builtin", "--format", "{{.Name}} {{.Driver}} {{.Scope}}"}, "bridge bridge local\nhost host local\nnone null local\n"},
		{[]string{"network", "ls", "--filter", "name=no", "-q"}, "none\n"},
		{[]string{"network", "ls", "--filter", "driver=null", "--format", "table {{.Name}}\t{{.Driver}}"}, "NAME      DRIVER\nnone      null\n"},
		{[]string{"network", "ls", "--filter", "type=custom", "-q"}, ""},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			if got := w.must(t, tc.args...); got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}

	// The image's ID as inspect -f prints it is what images --no-trunc shows.
	id := w.must(t, "image", "inspect", "-f", "{{.Id}}", "labeled:v1")
	if all := w.must(t, "images", "-q", "--no-trunc", "labeled"); id != all || !strings.HasPrefix(id, "sha256:") {
		t.Errorf("image inspect -f {{.Id}} = %q, images -q --no-trunc = %q", id, all)
	}
	// ps -s measures the writable layer.
	if got := w.must(t, "ps", "-a", "-s", "--filter", "name=web", "--format", "{{.Size}}"); !strings.Contains(got, "(virtual ") {
		t.Errorf("ps -s: %q", got)
	}

	// Bad filters and templates: one line, exit 1, naming what is wrong.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ps", "--filter", "colour=red"}, `invalid filter "colour"`},
		{[]string{"ps", "--filter", "name"}, "expected name=value"},
		{[]string{"ps", "--filter", "status=sleeping"}, "status=sleeping"},
		{[]string{"ps", "--filter", "before=nosuch"}, "nosuch"},
		{[]string{"ps", "-a", "--format", "{{.Nope}}"}, "Nope"},
		{[]string{"ps", "--format", "{{.Names"}, "template parsing error"},
		{[]string{"images", "--filter", "dangling=maybe"}, "dangling=maybe"},
		{[]string{"inspect", "-f", "{{.State.Pid", "web"}, "template parsing error"},
		{[]string{"inspect", "-f", "{{.State.Pid}}", "nosuch"}, "no such object: nosuch"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, errOut, code := w.run(t, nil, tc.args...)
			if code != 1 || !strings.Contains(errOut, tc.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
				t.Errorf("exit %d, stderr %q; want 1 and one line with %q", code, errOut, tc.want)
			}
		})
	}
}

// TestVersion: `ward version` in docker version's layout, its --format,
// and --version on one line, all naming the same build.
func TestVersion(t *testing.T) {
	w := &wardEnv{bin: filepath.Join(sharedBinaries(t), "ward"), root: t.TempDir()}
	v := strings.TrimSpace(w.must(t, "version", "--format", "{{.Client.Version}}"))
	commit := strings.TrimSpace(w.must(t, "version", "-f", "{{.Client.GitCommit}}"))
	if v == "" || commit == "" {
		t.Fatalf("version %q, commit %q", v, commit)
	}
	if got, want := w.must(t, "--version"), "ward version "+v+", build "+commit+"\n"; got != want {
		t.Errorf("--version = %q, want %q", got, want)
	}
	full := w.must(t, "version")
	for _, want := range []string{"Client:\n", " Version:           " + v + "\n", " Go version:        go", " OS/Arch:           linux/"} {
		if !strings.Contains(full, want) {
			t.Errorf("version lacks %q:\n%s", want, full)
		}
	}
	if _, errOut, code := w.run(t, nil, "version", "--format", "{{.Nope"); code != 1 || !strings.Contains(errOut, "template") {
		t.Errorf("bad template: exit %d, %q", code, errOut)
	}
}

// TestNotRoot: a user other than root gets one line saying ward needs
// root, not a raw "permission denied" from deep inside.
func TestNotRoot(t *testing.T) {
	testutil.RequireRoot(t)
	dir, err := os.MkdirTemp("", "ward-notroot-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "ward")
	data, err := os.ReadFile(filepath.Join(sharedBinaries(t), "ward"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "root")
	os.Mkdir(root, 0o700)
	for _, args := range [][]string{{"ps"}, {"images"}, {"volume", "ls"}, {"run", "busybox"}} {
		cmd := exec.Command(bin, append([]string{"--root", root}, args...)...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		cmd.Run()
		msg := stderr.String()
		if cmd.ProcessState.ExitCode() == 0 || !strings.Contains(msg, "ward needs root privileges (run it with sudo)") || strings.Count(msg, "\n") != 1 {
			t.Errorf("%v as nobody: exit %d, %q", args, cmd.ProcessState.ExitCode(), msg)
		}
	}
}
