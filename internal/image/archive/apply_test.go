package archive

import (
	"archive/tar"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// entry is one tar entry of a crafted layer.
type entry struct {
	name, link string
	typ        byte
	mode       int64
	data       string
	size       int64 // declared size when it differs from len(data)
	xattrs     map[string]string
	uid, gid   int
	major      int64
	mtime      time.Time // the package's mtime when zero
}

func file(name, data string) entry {
	return entry{name: name, typ: tar.TypeReg, mode: 0o644, data: data}
}
func dir(name string) entry { return entry{name: name, typ: tar.TypeDir, mode: 0o755} }
func symlink(name, to string) entry {
	return entry{name: name, typ: tar.TypeSymlink, link: to, mode: 0o777}
}
func hardlink(name, to string) entry {
	return entry{name: name, typ: tar.TypeLink, link: to, mode: 0o644}
}

var mtime = time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)

// buildTar writes entries; cut > 0 truncates the result to that many bytes
// less, and a declared size beyond the data leaves the stream short.
func buildTar(t testing.TB, entries []entry, cut int) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	short := false
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: e.mode,
			Uid: e.uid, Gid: e.gid, ModTime: mtime, Devmajor: e.major, Format: tar.FormatPAX}
		if !e.mtime.IsZero() {
			hdr.ModTime = e.mtime
		}
		if e.typ == tar.TypeReg {
			hdr.Size = int64(len(e.data))
			if e.size != 0 {
				hdr.Size = e.size
			}
		}
		if len(e.xattrs) > 0 {
			hdr.PAXRecords = map[string]string{}
			for k, v := range e.xattrs {
				hdr.PAXRecords["SCHILY.xattr."+k] = v
			}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.data)); err != nil {
			t.Fatal(err)
		}
		if e.size > int64(len(e.data)) {
			short = true
			break // the stream ends inside this file's data
		}
	}
	if !short {
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	b := buf.Bytes()
	if cut > 0 {
		b = b[:len(b)-cut]
	}
	return b
}

// sandbox is a temporary directory with an "outside" directory holding a
// sentinel passwd file; the layer is unpacked beside it.
type sandbox struct{ tmp, outside, layer string }

func newSandbox(t *testing.T) sandbox {
	tmp := t.TempDir()
	s := sandbox{tmp: tmp, outside: filepath.Join(tmp, "outside"), layer: filepath.Join(tmp, "layer")}
	if err := os.Mkdir(s.outside, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.outside, "passwd"), []byte("root:x:0:0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

// assertOutsideUntouched checks that the sandbox holds nothing but the
// sentinel and the layer directory.
func (s sandbox) assertOutsideUntouched(t *testing.T) {
	t.Helper()
	err := filepath.WalkDir(s.tmp, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch p {
		case s.tmp, s.outside:
			return nil
		case s.layer:
			return filepath.SkipDir
		case filepath.Join(s.outside, "passwd"):
			data, err := os.ReadFile(p)
			if err != nil || string(data) != "root:x:0:0\n" {
				t.Errorf("sentinel %s changed: %q %v", p, data, err)
			}
			return nil
		}
		t.Errorf("written outside the layer: %s", p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestApplyHostile(t *testing.T) {
	needRoot := func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("skipped: needs root for mknod and trusted xattrs")
		}
	}
	tests := []struct {
		name    string
		entries func(s sandbox) []entry
		cut     int
		opts    Options
		root    bool
		wantErr string // "" when the layer must apply
		inLayer string // a path that must exist in the layer afterwards
	}{
		{name: "dotdot escape", entries: func(sandbox) []entry { return []entry{file("../escape", "x")} },
			wantErr: "escapes the layer directory"},
		{name: "dotdot deep escape", entries: func(sandbox) []entry { return []entry{file("a/../../outside/passwd", "x")} },
			wantErr: "escapes the layer directory"},
		{name: "absolute path made relative", entries: func(sandbox) []entry { return []entry{file("/abs/file", "x")} },
			inLayer: "abs/file"},
		{name: "relative symlink then file through it", entries: func(sandbox) []entry {
			return []entry{symlink("link", "../outside"), file("link/pwned", "x")}
		}, inLayer: "outside/pwned"},
		{name: "absolute symlink to a host dir then write", entries: func(s sandbox) []entry {
			return []entry{symlink("etc", s.outside), file("etc/passwd", "pwned")}
		}, inLayer: "tmp-outside/passwd"},
		{name: "symlink to host file then overwrite it", entries: func(s sandbox) []entry {
			return []entry{symlink("s", filepath.Join(s.outside, "passwd")), file("s", "pwned")}
		}, inLayer: "s"},
		{name: "hardlink to /etc/passwd", entries: func(sandbox) []entry { return []entry{hardlink("pw", "/etc/passwd")} },
			wantErr: "is not in the layer"},
		{name: "hardlink climbing out", entries: func(sandbox) []entry { return []entry{hardlink("pw", "../outside/passwd")} },
			wantErr: "escapes the layer directory"},
		{name: "hardlink through a symlink to a host dir", entries: func(s sandbox) []entry {
			return []entry{symlink("o", s.outside), hardlink("pw", "o/passwd")}
		}, wantErr: "is not in the layer"},
		{name: "hardlink to a symlink that points out", entries: func(s sandbox) []entry {
			return []entry{symlink("s", filepath.Join(s.outside, "passwd")), hardlink("h", "s"), file("h/x", "pwned")}
		}, inLayer: "tmp-outside/passwd/x"},
		{name: "user xattr on a symlink is skipped", root: true, entries: func(sandbox) []entry {
			e := symlink("s", "target")
			e.xattrs = map[string]string{"user.note": "x"}
			return []entry{e}
		}, inLayer: "s"},
		{name: "hardlink to a directory", entries: func(sandbox) []entry { return []entry{dir("d"), hardlink("pw", "d")} },
			wantErr: "is a directory"},
		{name: "truncated inside a file", entries: func(sandbox) []entry { return []entry{file("a", strings.Repeat("x", 4096))} },
			cut: 1024 + 2048, wantErr: "unexpected EOF"},
		{name: "declared size beyond the data", entries: func(sandbox) []entry {
			e := file("big", "short")
			e.size = 1 << 20
			return []entry{e}
		}, wantErr: "unexpected EOF"},
		{name: "declared size beyond the limit", entries: func(sandbox) []entry {
			e := file("huge", "short")
			e.size = 1 << 40
			return []entry{e}
		}, wantErr: "exceeds the layer limit"},
		{name: "too many bytes in total", entries: func(sandbox) []entry {
			return []entry{file("a", strings.Repeat("x", 600)), file("b", strings.Repeat("x", 600))}
		}, opts: Options{MaxBytes: 1000}, wantErr: "exceeds the layer limit"},
		{name: "too many entries", entries: func(sandbox) []entry { return []entry{dir("a"), dir("b"), dir("c")} },
			opts: Options{MaxEntries: 2}, wantErr: "more than 2 entries"},
		{name: "whiteout of dotdot", entries: func(sandbox) []entry { return []entry{file("d/.wh...", "")} },
			wantErr: "invalid whiteout name"},
		{name: "whiteout above the root", entries: func(sandbox) []entry { return []entry{file("../.wh.outside", "")} },
			wantErr: "escapes the layer directory"},
		{name: "whiteout through a symlink", root: true, entries: func(s sandbox) []entry {
			return []entry{symlink("o", s.outside), file("o/.wh.passwd", "")}
		}, inLayer: "tmp-outside/passwd"},
		{name: "device node refused", entries: func(sandbox) []entry {
			return []entry{{name: "sda", typ: tar.TypeBlock, mode: 0o660, major: 8}}
		}, wantErr: "device node refused"},
		{name: "device node allowed", root: true, opts: Options{AllowDevices: true}, entries: func(sandbox) []entry {
			return []entry{{name: "dev/null", typ: tar.TypeChar, mode: 0o666, major: 1}}
		}, inLayer: "dev/null"},
		{name: "file where the root should be", entries: func(sandbox) []entry { return []entry{file(".", "x")} },
			wantErr: "must be a directory"},
		{name: "overlay xattrs are dropped", root: true, entries: func(sandbox) []entry {
			e := dir("d")
			e.xattrs = map[string]string{"trusted.overlay.redirect": "/etc"}
			return []entry{e}
		}, inLayer: "d"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.root {
				needRoot(t)
			}
			s := newSandbox(t)
			data := buildTar(t, tc.entries(s), tc.cut)
			_, err := Apply(bytes.NewReader(data), s.layer, tc.opts)
			s.assertOutsideUntouched(t)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Apply error = %v, want one containing %q", err, tc.wantErr)
				}
				if _, serr := os.Lstat(s.layer); !errors.Is(serr, fs.ErrNotExist) {
					t.Errorf("layer directory kept after a failure: %v", serr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			want := strings.ReplaceAll(tc.inLayer, "tmp-outside", strings.TrimPrefix(s.outside, "/"))
			if _, err := os.Lstat(filepath.Join(s.layer, want)); err != nil {
				t.Errorf("%s missing from the layer: %v", want, err)
			}
			if tc.name == "overlay xattrs are dropped" {
				if _, err := unix.Lgetxattr(filepath.Join(s.layer, "d"), "trusted.overlay.redirect", make([]byte, 64)); err == nil {
					t.Errorf("trusted.overlay.redirect was applied")
				}
			}
		})
	}
}

func TestApplyKeepsMetadata(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipped: needs root for owners, setuid bits, mknod and trusted xattrs")
	}
	caps := "\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" // cap_net_bind_service+ep
	suid := file("bin/su", "binary")
	suid.mode, suid.uid, suid.gid = 0o4755, 0, 0
	capFile := file("bin/ping", "binary")
	capFile.mode, capFile.uid, capFile.gid = 0o755, 1000, 1000
	capFile.xattrs = map[string]string{"security.capability": caps, "user.note": "kept"}
	owned := dir("home/user")
	owned.uid, owned.gid, owned.mode = 1000, 1001, 0o2750
	entries := []entry{
		dir("./"), dir("bin"), suid, capFile, hardlink("bin/su2", "bin/su"),
		symlink("bin/sh", "busybox"), owned,
		dir("etc"), file("etc/.wh.hosts", ""), dir("var"), file("var/.wh..wh..opq", ""),
		{name: "run/fifo", typ: tar.TypeFifo, mode: 0o600},
		file("old", "first"), file("old", "second"), // later entries win
	}
	s := newSandbox(t)
	st, err := Apply(bytes.NewReader(buildTar(t, entries, 0)), s.layer, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Entries != len(entries) {
		t.Errorf("Stats.Entries = %d, want %d", st.Entries, len(entries))
	}
	p := func(rel string) string { return filepath.Join(s.layer, rel) }
	stat := func(rel string) *unix.Stat_t {
		t.Helper()
		var st unix.Stat_t
		if err := unix.Lstat(p(rel), &st); err != nil {
			t.Fatal(err)
		}
		return &st
	}
	checks := []struct {
		name string
		ok   func() bool
	}{
		{"setuid bit kept", func() bool { return stat("bin/su").Mode&0o7777 == 0o4755 }},
		{"owner kept", func() bool { st := stat("home/user"); return st.Uid == 1000 && st.Gid == 1001 }},
		{"setgid dir kept", func() bool { return stat("home/user").Mode&0o7777 == 0o2750 }},
		{"file capability kept after chown", func() bool {
			buf := make([]byte, 64)
			n, err := unix.Lgetxattr(p("bin/ping"), "security.capability", buf)
			return err == nil && string(buf[:n]) == caps
		}},
		{"user xattr kept", func() bool {
			buf := make([]byte, 64)
			n, err := unix.Lgetxattr(p("bin/ping"), "user.note", buf)
			return err == nil && string(buf[:n]) == "kept"
		}},
		{"hard link shares the inode", func() bool { return stat("bin/su").Ino == stat("bin/su2").Ino }},
		{"symlink kept", func() bool { l, err := os.Readlink(p("bin/sh")); return err == nil && l == "busybox" }},
		{"whiteout is a 0/0 char device", func() bool {
			st := stat("etc/hosts")
			return st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0
		}},
		{"whiteout file itself not written", func() bool { _, err := os.Lstat(p("etc/.wh.hosts")); return err != nil }},
		{"opaque dir marked", func() bool {
			buf := make([]byte, 8)
			n, err := unix.Lgetxattr(p("var"), OverlayOpaqueXattr, buf)
			return err == nil && string(buf[:n]) == "y"
		}},
		{"fifo created", func() bool { return stat("run/fifo").Mode&unix.S_IFMT == unix.S_IFIFO }},
		{"later entry wins", func() bool { d, _ := os.ReadFile(p("old")); return string(d) == "second" }},
		{"file mtime kept", func() bool { return stat("bin/su").Mtim.Sec == mtime.Unix() }},
		{"dir mtime kept after its children", func() bool { return stat("bin").Mtim.Sec == mtime.Unix() }},
		{"symlink mtime kept", func() bool { return stat("bin/sh").Mtim.Sec == mtime.Unix() }},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if !c.ok() {
				t.Error("failed")
			}
		})
	}
}

func BenchmarkApply(b *testing.B) {
	var entries []entry
	for i := range 2000 {
		entries = append(entries, file(filepath.Join("d", string(rune('a'+i%26)), strings.Repeat("f", 1+i%50)), strings.Repeat("x", 4096)))
	}
	data := buildTar(b, entries, 0)
	dir := b.TempDir()
	b.SetBytes(int64(len(data)))
	for i := 0; b.Loop(); i++ {
		target := filepath.Join(dir, "l", strings.Repeat("x", 1)+string(rune('0'+i%10)))
		os.RemoveAll(target)
		os.MkdirAll(filepath.Dir(target), 0o755)
		if _, err := Apply(bytes.NewReader(data), target, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
