package dockerdiff

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// habitStep is one command line both engines run in turn (the
// engine's own command and flags first), and what must agree.
type habitStep struct {
	args []string
	// codeOnly compares only the exit status: the message differs (Docker
	// says "Error response from daemon: ...").
	codeOnly bool
	// sorted compares the output's lines in any order (Docker lists
	// volumes and images in an order of its own).
	sorted bool
	// settle waits before the step: docker events' --until counts in
	// whole seconds, so events of the current second are not yet "until
	// now".
	settle bool
}

// habits are the daily Docker command lines of issue 17: --format
// templates with Docker's functions, --filter, cp, volumes and prune.
// {DIR} is a directory of the engine's own on the host; {FILE} a host file
// holding "from the host".
func habits() []habitStep {
	none := "--network=none"
	return []habitStep{
		{args: []string{"create", none, "--name", "hab-a", image, "true"}, codeOnly: true},
		{args: []string{"run", none, "--name", "hab-b", image, "sh", "-c", "exit 3"}, codeOnly: true},
		{args: []string{"create", none, "--name", "hab-c", "-v", "hab-vol:/data", image, "true"}, codeOnly: true},
		{args: []string{"ps", "-a", "--format", "{{.Names}} {{.Image}} {{.State}}"}},
		{args: []string{"system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}}"}},
		{args: []string{"ps", "--format", "{{.Names}}"}},
		{args: []string{"ps", "-a", "--filter", "name=hab-b", "--format", "{{.Names}} {{truncate .Status 10}} {{.Command}}"}},
		{args: []string{"ps", "-a", "--filter", "name=^/hab-(a|c)$", "--format", "{{.Names}}"}},
		{args: []string{"ps", "--filter", "status=exited", "--format", "{{.Names}}"}},
		{args: []string{"ps", "--filter", "status=created", "--filter", "status=exited", "--format", "{{.Names}}"}},
		{args: []string{"ps", "-a", "--filter", "exited=3", "--format", "{{.Names}}"}},
		{args: []string{"ps", "-a", "--filter", "exited=0", "--format", "{{.Names}}"}},
		{args: []string{"ps", "-a", "--filter", "before=hab-c", "--format", "{{.Names}}"}},
		{args: []string{"ps", "--filter", "since=hab-a", "--format", "{{.Names}}"}},
		{args: []string{"ps", "-a", "--filter", "ancestor=" + image, "--format", "{{.Names}}"}},
		{args: []string{"ps", "-a", "--filter", "volume=hab-vol", "--format", "{{.Names}} {{.Mounts}}"}},
		{args: []string{"ps", "-a", "--filter", "volume=/data", "--format", "{{.Names}}"}},
		{args: []string{"ps", "-a", "--filter", "health=none", "--filter", "name=hab-a", "--format", "{{.Names}}"}},
		{args: []string{"ps", "-a", "--filter", "name=hab-a", "--format", "table {{.Names}}\t{{.State}}\t{{.Networks}}"}},
		{args: []string{"ps", "-a", "--filter", "name=nothing", "--format", "table {{.ID}}\t{{.Names}}"}},
		{args: []string{"ps", "-a", "--filter", "name=hab-a", "--format",
			`{{json .Names}} {{upper .Names}} {{lower "AB"}} {{title .State}} {{pad .Names 1 1}}|{{split .Names "-"}} {{join (split .Names "-") "+"}}{{println}}end`}},
		{args: []string{"ps", "-n", "2", "--format", "{{.Names}}"}},
		{args: []string{"ps", "-l", "--format", "{{.Names}}"}},
		{args: []string{"ps", "--filter", "colour=red"}, codeOnly: true},
		{args: []string{"ps", "--filter", "exited=x"}, codeOnly: true},
		{args: []string{"ps", "--format", "{{.Nope}}", "-a"}, codeOnly: true},
		{args: []string{"inspect", "-f", "{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{.State.Running}} {{.Config.Image}} {{json .Config.Cmd}}", "hab-b", "hab-a"}},
		{args: []string{"inspect", "--format", "{{.Path}} {{json .Args}} {{len .Args}} {{.HostConfig.NetworkMode}}", "hab-b"}},
		{args: []string{"inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.RW}} {{.Driver}}{{end}}", "hab-c"}},
		{args: []string{"inspect", "-f", "{{.State.Pid}}", "nosuch"}, codeOnly: true},
		{args: []string{"image", "inspect", "-f", "{{.Os}} {{.Architecture}} {{json .Config.Cmd}} {{.RepoTags}} {{json .Config.Env}}", image}},
		{args: []string{"images", "--format", "{{.Repository}}:{{.Tag}}"}, sorted: true},
		{args: []string{"images", "--filter", "reference=ward.test/busybox-*", "--format", "{{.Repository}} {{.Tag}}"}},
		{args: []string{"images", "--filter", "dangling=true", "-q"}},
		{args: []string{"images", "--format", "table {{.Repository}}\t{{.Tag}}", "ward.test/busybox"}},
		{args: []string{"images", "--filter", "dangling=maybe"}, codeOnly: true},
		{args: []string{"network", "inspect", "-f", "{{.Name}} {{.Driver}} {{.Scope}}", "none", "host"}},
		{args: []string{"network", "ls", "--filter", "name=none", "--format", "{{.Name}} {{.Driver}} {{.Scope}} {{.IPv6}} {{.Internal}}"}},
		{args: []string{"network", "ls", "--filter", "driver=host", "--format", "table {{.Name}}\t{{.Driver}}"}},
		// Volumes.
		{args: []string{"volume", "create", "hab-named"}},
		{args: []string{"volume", "create", "hab-named"}},
		{args: []string{"volume", "create", "--label", "a=b", "hab-labeled"}},
		{args: []string{"volume", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}} {{.Labels}}"}, sorted: true},
		{args: []string{"volume", "ls", "--filter", "name=hab-l"}},
		{args: []string{"volume", "ls", "--filter", "label=a=b", "-q"}},
		{args: []string{"volume", "ls", "--filter", "dangling=true", "-q"}, sorted: true},
		{args: []string{"volume", "inspect", "-f", "{{.Name}} {{.Driver}} {{.Scope}} {{json .Labels}}", "hab-labeled", "hab-vol"}},
		{args: []string{"run", "--rm", none, "-v", "hab-named:/data", image, "sh", "-c", "echo kept > /data/f; stat -c '%A %u %g %s %n' /data /data/f"}},
		{args: []string{"run", "--rm", none, "-v", "hab-named:/data:ro", image, "sh", "-c", "cat /data/f; touch /data/g || echo refused"}},
		{args: []string{"run", "--rm", none, "-v", "hab-bin:/bin", image, "stat", "-c", "%A %u %g %n", "/bin/sh"}},
		{args: []string{"run", "--rm", none, "--mount", "type=volume,src=hab-m,dst=/m,volume-label=x=y", image, "sh", "-c", "stat -c '%A %u %g %n' /m; ls -a /m"}},
		{args: []string{"volume", "inspect", "-f", "{{json .Labels}}", "hab-m"}},
		{args: []string{"volume", "rm", "hab-vol"}, codeOnly: true}, // in use by hab-c
		{args: []string{"volume", "rm", "nosuch"}, codeOnly: true},
		{args: []string{"volume", "inspect", "nosuch"}, codeOnly: true},
		{args: []string{"volume", "create", "bad/name"}, codeOnly: true},
		// cp, both ways, and its errors.
		{args: []string{"cp", "{FILE}", "hab-a:/tmp/"}},
		{args: []string{"cp", "hab-a:/tmp/hello", "{DIR}/back"}},
		{args: []string{"cp", "hab-a:/etc", "{DIR}/etc"}},
		{args: []string{"cp", "hab-a:/nosuch", "{DIR}"}, codeOnly: true},
		{args: []string{"cp", "{FILE}", "hab-a:/nodir/x"}, codeOnly: true},
		{args: []string{"cp", "nosuch:/x", "{DIR}"}, codeOnly: true},
		// pause, rename, wait, top.
		{args: []string{"run", "-d", none, "--name", "hab-p", image, "sleep", "100"}},
		{args: []string{"pause", "hab-p"}},
		{args: []string{"pause", "hab-p"}, codeOnly: true},
		{args: []string{"ps", "--filter", "status=paused", "--format", "{{.Names}} {{.State}} {{.Status | printf \"%.2s\"}}"}},
		{args: []string{"inspect", "-f", "{{.State.Paused}} {{.State.Running}}", "hab-p"}},
		{args: []string{"unpause", "hab-p"}},
		{args: []string{"unpause", "hab-p"}, codeOnly: true},
		{args: []string{"rename", "hab-p", "hab-q"}},
		{args: []string{"rename", "hab-q", "hab-a"}, codeOnly: true},
		{args: []string{"top", "hab-q", "-o", "comm,args"}},
		{args: []string{"port", "hab-q"}},
		{args: []string{"kill", "hab-q"}},
		{args: []string{"wait", "hab-q"}},
		{args: []string{"rm", "hab-q"}},
		// events of one container, from the journal (ward) or dockerd.
		{args: []string{"run", "-d", none, "--name", "hab-e", image, "sleep", "100"}},
		{args: []string{"kill", "hab-e"}},
		{args: []string{"wait", "hab-e"}},
		{args: []string{"rm", "hab-e"}},
		{args: []string{"events", "--since", "5m", "--until", "0s", "--filter", "container=hab-e", "--format",
			"{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.image}} {{.Actor.Attributes.exitCode}} {{.Actor.Attributes.signal}}"}, settle: true},
		{args: []string{"events", "--since", "5m", "--until", "0s", "--filter", "container=hab-e", "--filter", "event=die", "--format", "{{.Status}} {{.From}} {{.Scope}}"}},
		// diff of a container's own changes.
		{args: []string{"run", none, "--name", "hab-d", image, "sh", "-c", "echo x > /tmp/new; rm /etc/group; mkdir -p /root/a/b"}},
		{args: []string{"diff", "hab-d"}, sorted: true}, // Docker lists in the order it reads directories
		{args: []string{"diff", "nosuch"}, codeOnly: true},
		{args: []string{"commit", "-m", "hab", "-c", `CMD ["cat", "/tmp/new"]`, "hab-d", "hab-img:v1"}},
		{args: []string{"run", "--rm", none, "hab-img:v1"}},
		{args: []string{"run", "--rm", none, "hab-img:v1", "sh", "-c", "ls /etc/group; ls -d /root/a/b"}},
		{args: []string{"image", "inspect", "-f", "{{len .RootFS.Layers}} {{json .Config.Cmd}} {{.Comment}}", "hab-img:v1"}},
		{args: []string{"rmi", "hab-img:v1"}, codeOnly: true},
		// prune (IDs and sizes normalized).
		{args: []string{"container", "prune", "-f"}},
		{args: []string{"ps", "-a", "--format", "{{.Names}}"}},
		{args: []string{"volume", "prune", "-f"}, sorted: true},
		{args: []string{"volume", "ls", "-q"}},
		{args: []string{"image", "prune", "-f"}},
		{args: []string{"version", "--format", "{{.Client.Os}}/{{.Client.Arch}}"}},
	}
}

var (
	longID  = regexp.MustCompile(`\b[0-9a-f]{64}\b`)
	shortID = regexp.MustCompile(`\b[0-9a-f]{12}\b`)
	space   = regexp.MustCompile(`(Total reclaimed space:) .*`)
)

// normalizeHabit hides what differs by nature between two engines: IDs,
// the space a prune reclaims.
func normalizeHabit(s string, sorted bool) string {
	s = space.ReplaceAllString(shortID.ReplaceAllString(longID.ReplaceAllString(s, "ID"), "SHORTID"), "$1 SIZE")
	if sorted {
		lines := strings.Split(s, "\n")
		sort.Strings(lines)
		s = strings.Join(lines, "\n")
	}
	return s
}

// TestDailyHabitsAgree runs the same command lines through docker and
// ward, in the same order, and compares what they print and how they
// exit.
func TestDailyHabitsAgree(t *testing.T) {
	e := setUp(t)
	host := t.TempDir()
	file := filepath.Join(host, "hello")
	if err := os.WriteFile(file, []byte("from the host\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	dirs := map[string]string{"docker": filepath.Join(host, "docker"), "ward": filepath.Join(host, "ward")}
	for _, d := range dirs {
		os.Mkdir(d, 0o755)
	}
	subst := func(args []string, engine string) []string {
		out := slices.Clone(args)
		for i, a := range out {
			out[i] = strings.NewReplacer("{DIR}", dirs[engine], "{FILE}", file).Replace(a)
		}
		return out
	}
	t.Cleanup(func() {
		for _, n := range []string{"hab-a", "hab-b", "hab-c"} {
			run(nil, append(e.docker, "rm", "-f", n)...)
		}
		run(nil, append(e.docker, "volume", "prune", "-f")...)
	})
	for i, s := range habits() {
		if s.settle {
			time.Sleep(1100 * time.Millisecond)
		}
		name := strings.Join(s.args, " ")
		want := run(nil, append(slices.Clone(e.docker), subst(s.args, "docker")...)...)
		got := run(nil, append(slices.Clone(e.ward), subst(s.args, "ward")...)...)
		if want.code != got.code {
			t.Errorf("step %d, %s: docker exit %d (%s), ward exit %d (%s)", i, name, want.code, strings.TrimSpace(want.stderr), got.code, strings.TrimSpace(got.stderr))
			continue
		}
		if s.codeOnly {
			continue
		}
		if w, g := normalizeHabit(want.stdout, s.sorted), normalizeHabit(got.stdout, s.sorted); w != g {
			t.Errorf("step %d, %s:\ndocker:\n%s\nward:\n%s", i, name, w, g)
		}
	}
	// What cp brought back is the same file, and the same tree.
	for _, p := range []string{"back"} {
		w, _ := os.ReadFile(filepath.Join(dirs["docker"], p))
		g, _ := os.ReadFile(filepath.Join(dirs["ward"], p))
		if string(w) != "from the host\n" || string(g) != string(w) {
			t.Errorf("cp round trip: docker %q, ward %q", w, g)
		}
	}
	// Docker's /etc also holds the files of its init layer (hostname,
	// hosts, resolv.conf, mtab); ward's init layer has the first three
	// where the image lacks them (internal/snapshot/initlayer.go), and no
	// mtab: a difference of the container, not of cp.
	initLayer := func(e string) bool {
		return slices.ContainsFunc([]string{"hostname ", "hosts ", "resolv.conf ", "mtab "}, func(p string) bool { return strings.HasPrefix(e, p) })
	}
	w := slices.DeleteFunc(treeOf(t, filepath.Join(dirs["docker"], "etc")), initLayer)
	if g := slices.DeleteFunc(treeOf(t, filepath.Join(dirs["ward"], "etc")), initLayer); !slices.Equal(w, g) {
		t.Errorf("cp of /etc:\ndocker %v\nward   %v", w, g)
	}
}

// treeOf lists a directory's entries with their types and modes.
func treeOf(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, rel+" "+fi.Mode().String())
		return nil
	})
	return out
}
