package imagefiles

import (
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/scan/source"
)

// entry is one layer entry, written as "path" plus what it is.
type entry struct {
	path     string
	content  string // a regular file
	symlink  string
	hardlink string
	dir      bool
}

type fakeLayer []entry

func (l fakeLayer) Digest() string { return "sha256:fake" }

func (l fakeLayer) Walk(fn func(source.Entry) error) error {
	for _, x := range l {
		e := source.Entry{Path: source.CleanPath(x.path), Mode: 0o644}
		switch {
		case x.dir:
			e.Mode = fs.ModeDir | 0o755
		case x.symlink != "":
			e.Mode, e.Linkname = fs.ModeSymlink|0o777, x.symlink
		case x.hardlink != "":
			e.Linkname = x.hardlink
		default:
			content := x.content
			e.Size = int64(len(content))
			e.Open = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(content)), nil }
		}
		// As source.WalkTar reports them.
		base := e.Path[strings.LastIndex(e.Path, "/")+1:]
		switch {
		case base == ".wh..wh..opq":
			e.Path, e.Opaque = strings.TrimSuffix(strings.TrimSuffix(e.Path, base), "/"), true
		case strings.HasPrefix(base, ".wh."):
			e.Path, e.Whiteout = strings.TrimSuffix(e.Path, base)+strings.TrimPrefix(base, ".wh."), true
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

type fakeSource []fakeLayer

func (s fakeSource) Layers() []source.Layer {
	out := make([]source.Layer, len(s))
	for i, l := range s {
		out[i] = l
	}
	return out
}
func (s fakeSource) Close() error { return nil }

func TestRead(t *testing.T) {
	const passwd = "root:x:0:0::/root:/bin/sh\n"
	for _, tc := range []struct {
		name   string
		layers fakeSource
		want   string // "" means not found
	}{
		{"plain", fakeSource{{{path: "etc", dir: true}, {path: "etc/passwd", content: passwd}}}, passwd},
		{"no parent entry", fakeSource{{{path: "etc/passwd", content: passwd}}}, passwd},
		{"upper layer replaces", fakeSource{{{path: "etc/passwd", content: "old"}}, {{path: "etc/passwd", content: passwd}}}, passwd},
		{"whiteout", fakeSource{{{path: "etc/passwd", content: passwd}}, {{path: "etc/.wh.passwd"}}}, ""},
		{"whiteout of the directory", fakeSource{{{path: "etc/passwd", content: passwd}}, {{path: ".wh.etc"}}}, ""},
		{"opaque directory", fakeSource{{{path: "etc/passwd", content: passwd}}, {{path: "etc/.wh..wh..opq"}, {path: "etc/group", content: "g"}}}, ""},
		{"whiteout then a new file", fakeSource{{{path: "etc/passwd", content: "old"}}, {{path: "etc/.wh.passwd"}}, {{path: "etc/passwd", content: passwd}}}, passwd},
		{"relative symlink to another name", fakeSource{{{path: "usr/lib/pw", content: passwd}, {path: "etc/passwd", symlink: "../usr/lib/pw"}}}, passwd},
		{"absolute symlink stays in the image", fakeSource{{{path: "data/pw", content: passwd}, {path: "etc/passwd", symlink: "/../../data/pw"}}}, passwd},
		{"symlinked directory", fakeSource{{{path: "private/etc/passwd", content: passwd}, {path: "etc", symlink: "private/etc"}}}, passwd},
		{"dangling symlink", fakeSource{{{path: "etc/passwd", symlink: "/nowhere"}}}, ""},
		{"symlink loop", fakeSource{{{path: "etc/passwd", symlink: "passwd2"}, {path: "etc/passwd2", symlink: "passwd"}}}, ""},
		{"hard link", fakeSource{{{path: "usr/share/pw", content: passwd}, {path: "etc/passwd", hardlink: "usr/share/pw"}}}, passwd},
		{"a directory", fakeSource{{{path: "etc/passwd", dir: true}}}, ""},
		{"opaque directory with the file again", fakeSource{{{path: "etc/passwd", content: "old"}}, {{path: "etc/.wh..wh..opq"}, {path: "etc/passwd", content: passwd}}}, passwd},
		{"directory whited out, then made again", fakeSource{{{path: "etc/passwd", content: "old"}}, {{path: ".wh.etc"}}, {{path: "etc", dir: true}, {path: "etc/group", content: "g"}}}, ""},
		{"directory whited out, made again with the file", fakeSource{{{path: "etc/passwd", content: "old"}}, {{path: ".wh.etc"}}, {{path: "etc/passwd", content: passwd}}}, passwd},
		{"directory replaced by a file", fakeSource{{{path: "etc/passwd", content: passwd}}, {{path: "etc", content: "not a directory"}}}, ""},
		{"file replaced by a symlink in an upper layer", fakeSource{{{path: "etc/passwd", content: "old"}, {path: "x/pw", content: passwd}}, {{path: "etc/passwd", symlink: "/x/pw"}}}, passwd},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Read(tc.layers, "/etc/passwd")
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.ReadFile("/etc/passwd")
			if tc.want == "" {
				if !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("got %q, %v; want not found", got, err)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
