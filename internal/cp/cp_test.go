package cp

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/testutil"
)

// hostile makes a container root full of links that point out of it,
// and a host directory beside it holding a file the container must
// never reach. It returns the root, the host directory and the file.
func hostile(t *testing.T) (*Root, string, string, string) {
	t.Helper()
	testutil.RequireRoot(t) // copies into a container are owned by its root
	base := t.TempDir()
	dir := filepath.Join(base, "rootfs")
	host := filepath.Join(base, "host")
	for _, d := range []string{"etc", "data/sub", "tmp"} {
		must(t, os.MkdirAll(filepath.Join(dir, d), 0o755))
	}
	must(t, os.MkdirAll(host, 0o755))
	write(t, filepath.Join(dir, "etc/passwd"), "container passwd")
	write(t, filepath.Join(dir, "data/file"), "data")
	write(t, filepath.Join(host, "secret"), "host secret")
	for link, target := range map[string]string{
		"abs":           "/etc",                    // absolute: the container's /etc
		"up":            "../../../../../../etc",   // climbs above the root
		"hostdir":       host,                      // the host's path, read inside the root
		"data/pw":       "/etc/passwd",             // a link inside the copied tree
		"data/escape":   "../../../../" + host,     // relative, out of the root
		"tmp/loop":      "/tmp/loop",               // a loop
		"data/sub/back": "../../../../../../../..", // to "/" of the root
	} {
		must(t, os.Symlink(target, filepath.Join(dir, link)))
	}
	r, err := OpenRoot(dir)
	must(t, err)
	t.Cleanup(func() { r.Close() })
	return r, dir, host, filepath.Join(host, "secret")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	must(t, os.WriteFile(p, []byte(s), 0o644))
}

func read(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	must(t, err)
	return string(data)
}

// TestFromContainer: sources through links that point out of the root
// are read inside it.
func TestFromContainer(t *testing.T) {
	r, _, host, _ := hostile(t)
	out := t.TempDir()
	for _, tc := range []struct{ src, want string }{
		{"/abs/passwd", "container passwd"},
		{"/up/passwd", "container passwd"},
		{"data/sub/back/etc/passwd", "container passwd"},
		{"/data/pw", "container passwd"}, // a symlink source is copied as what it names
	} {
		dst := filepath.Join(out, strings.ReplaceAll(tc.src, "/", "_"))
		if err := FromContainer(r, tc.src, dst); err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		if got := read(t, dst); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.src, got, tc.want)
		}
	}
	// The host's path, read in the container, is not the host's file.
	if err := FromContainer(r, "/hostdir/secret", filepath.Join(out, "x")); err == nil || !strings.Contains(err.Error(), "could not find") {
		t.Errorf("hostdir/secret: %v", err)
	}
	if err := FromContainer(r, "/data/escape/secret", filepath.Join(out, "y")); err == nil {
		t.Errorf("data/escape/secret was copied")
	}
	// A directory: its links are copied as links, not followed.
	if err := FromContainer(r, "/data", filepath.Join(out, "data")); err != nil {
		t.Fatal(err)
	}
	if l, err := os.Readlink(filepath.Join(out, "data/escape")); err != nil || l != "../../../../"+host {
		t.Errorf("data/escape: %q %v", l, err)
	}
	if read(t, filepath.Join(out, "data/file")) != "data" {
		t.Error("data/file")
	}
	// A source that is a link to a directory copies the directory.
	if err := FromContainer(r, "/abs", filepath.Join(out, "etc-copy")); err != nil {
		t.Fatal(err)
	}
	if read(t, filepath.Join(out, "etc-copy/passwd")) != "container passwd" {
		t.Error("abs -> etc-copy")
	}
	if err := FromContainer(r, "/tmp/loop", filepath.Join(out, "loop")); err == nil {
		t.Error("a symlink loop was copied")
	}
}

// TestToContainer: destinations through links that point out of the
// root are written inside it; the host's file is never touched.
func TestToContainer(t *testing.T) {
	r, dir, _, secret := hostile(t)
	src := filepath.Join(t.TempDir(), "payload")
	write(t, src, "payload")
	for _, tc := range []struct{ dst, lands string }{
		{"/abs/new", "etc/new"},
		{"/up/new2", "etc/new2"},
		{"/abs/", "etc/payload"},
		{"/data/sub/back/tmp/", "tmp/payload"},
		{"/hostdir-not-there", "hostdir-not-there"},
		{"/data/pw", "etc/passwd"}, // a link destination is resolved inside the root, as Docker
	} {
		if err := ToContainer(r, src, tc.dst, Options{}); err != nil {
			t.Fatalf("%s: %v", tc.dst, err)
		}
		if got := read(t, filepath.Join(dir, tc.lands)); got != "payload" {
			t.Errorf("%s: %s holds %q", tc.dst, tc.lands, got)
		}
	}
	// The host's directory named inside the container does not exist
	// there: no write goes to the host.
	if err := ToContainer(r, src, "/hostdir/secret", Options{}); err == nil {
		t.Error("hostdir/secret: no error")
	}
	if err := ToContainer(r, src, "/data/escape/secret", Options{}); err == nil {
		t.Error("data/escape/secret: no error")
	}
	if read(t, secret) != "host secret" {
		t.Fatal("the host's file was overwritten")
	}
	// An archive whose own entries climb out, or go through a link it
	// made, stays inside.
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	entry := func(h *tar.Header, body string) {
		h.Size = int64(len(body))
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		must(t, tw.WriteHeader(h))
		io.WriteString(tw, body)
	}
	entry(&tar.Header{Name: "../../../../evil", Typeflag: tar.TypeReg}, "evil")
	entry(&tar.Header{Name: "out", Typeflag: tar.TypeSymlink, Linkname: filepath.Dir(secret)}, "")
	entry(&tar.Header{Name: "out/secret", Typeflag: tar.TypeReg}, "overwritten")
	entry(&tar.Header{Name: "hard", Typeflag: tar.TypeLink, Linkname: "../../../../" + secret}, "")
	tw.Close()
	err := StreamTo(r, &buf, "/tmp", Options{})
	if read(t, secret) != "host secret" {
		t.Fatal("the host's file was overwritten through the archive")
	}
	if read(t, filepath.Join(dir, "tmp/evil")) != "evil" {
		t.Error("../../evil did not land in the destination")
	}
	if err == nil {
		t.Error("a hard link to a host file: no error")
	}
}

// TestRules: docker cp's rules for where SRC lands in DEST.
func TestRules(t *testing.T) {
	r, dir, _, _ := hostile(t)
	srcDir := filepath.Join(t.TempDir(), "tree")
	must(t, os.MkdirAll(filepath.Join(srcDir, "in"), 0o750))
	write(t, filepath.Join(srcDir, "in/f"), "f")
	must(t, ToContainer(r, srcDir, "/data", Options{})) // into an existing directory
	if read(t, filepath.Join(dir, "data/tree/in/f")) != "f" {
		t.Error("dir into dir")
	}
	must(t, ToContainer(r, srcDir+"/.", "/etc", Options{})) // contents
	if read(t, filepath.Join(dir, "etc/in/f")) != "f" {
		t.Error("dir/. into dir")
	}
	must(t, ToContainer(r, srcDir, "/newdir", Options{})) // created
	if fi, err := os.Stat(filepath.Join(dir, "newdir/in")); err != nil || fi.Mode().Perm() != 0o750 {
		t.Errorf("new dir: %v %v", fi, err)
	}
	for _, tc := range []struct{ src, dst, want string }{
		{srcDir, "/etc/passwd", "cannot copy a directory to a file"},
		{filepath.Join(srcDir, "in/f"), "/nodir/", "does not exist"},
		{filepath.Join(srcDir, "in/f"), "/nodir/x", "does not exist"},
	} {
		if err := ToContainer(r, tc.src, tc.dst, Options{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s -> %s: %v, want %q", tc.src, tc.dst, err, tc.want)
		}
	}
	// Owners: the container's root without -a, the archive's with it.
	own := filepath.Join(t.TempDir(), "owned")
	write(t, own, "o")
	must(t, os.Chown(own, 1234, 5678))
	must(t, ToContainer(r, own, "/tmp/", Options{}))
	must(t, ToContainer(r, own, "/tmp/kept", Options{Archive: true}))
	for name, want := range map[string][2]int{"tmp/owned": {0, 0}, "tmp/kept": {1234, 5678}} {
		var st = statOwner(t, filepath.Join(dir, name))
		if st != want {
			t.Errorf("%s owned by %v, want %v", name, st, want)
		}
	}
	// A stream out names the source's base.
	var buf bytes.Buffer
	must(t, StreamFrom(r, "/abs", &buf, nil))
	first, err := tar.NewReader(&buf).Next()
	if err != nil || first.Name != "abs/" {
		t.Errorf("stream's first entry %v %v", first, err)
	}
}

// TestIDMap: in a user namespace, what is copied in as the container's
// root belongs to the host id it maps to, -a maps the archive's owners,
// and a stream out shows the container's ids.
func TestIDMap(t *testing.T) {
	r, dir, _, _ := hostile(t)
	ids := &IDMap{UIDs: []IDRange{{0, 100000, 65536}}, GIDs: []IDRange{{0, 200000, 65536}}}
	src := filepath.Join(t.TempDir(), "f")
	write(t, src, "x")
	must(t, os.Chown(src, 1000, 1001))
	must(t, ToContainer(r, src, "/tmp/as-root", Options{IDs: ids}))
	must(t, ToContainer(r, src, "/tmp/kept", Options{IDs: ids, Archive: true}))
	for name, want := range map[string][2]int{"tmp/as-root": {100000, 200000}, "tmp/kept": {101000, 201001}} {
		if got := statOwner(t, filepath.Join(dir, name)); got != want {
			t.Errorf("%s owned by %v, want %v", name, got, want)
		}
	}
	var buf bytes.Buffer
	must(t, StreamFrom(r, "/tmp/kept", &buf, ids))
	hdr, err := tar.NewReader(&buf).Next()
	if err != nil || hdr.Uid != 1000 || hdr.Gid != 1001 {
		t.Errorf("stream out: %+v %v", hdr, err)
	}
	if u, g := ids.ToContainer(5, 5); u != 65534 || g != 65534 {
		t.Errorf("an unmapped id: %d %d", u, g)
	}
}
