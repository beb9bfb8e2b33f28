package archive

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzApply unpacks layers built from the fuzzer's bytes into a directory
// beside a decoy tree, and checks that nothing of the decoy changed: no
// byte, mode, owner, time or xattr, and no new entry beside the layer; and
// that Check, run when a layer comes in, accepts every layer Apply does.
//
// Each entry takes three bytes: its type, its name and its link, the names
// drawn from a table of what hostile layers use (.., absolute paths to the
// decoy, whiteouts, names through symlinks). Raw tar bytes would almost
// never get past the header checksum, so the structure is the fuzzer's.
func FuzzApply(f *testing.F) {
	seeds := [][]byte{
		{0, 1, 0, 0, 2, 5, 2, 1, 9},          // a/, a/b/, a -> decoy: issue 12's first case
		{0, 1, 0, 0, 2, 5, 2, 1, 10},         // a/, a/b/, a -> ../decoy
		{2, 1, 9, 3, 4, 0},                   // a -> decoy, a/passwd
		{3, 6, 0},                            // ../x
		{4, 5, 11},                           // hard link to /etc/passwd
		{2, 1, 9, 3, 7, 0},                   // a -> decoy, a/.wh.passwd
		{2, 1, 9, 3, 8, 0},                   // a -> decoy, a/.wh..wh..opq
		{0, 1, 0, 3, 4, 0, 2, 1, 9, 3, 4, 0}, // a/passwd, then a -> decoy, a/passwd again
		{2, 12, 9, 4, 13, 12},                // s -> decoy/passwd, hard link to s
		{5, 3, 0},                            // fifo
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, prog []byte) {
		if len(prog) > 3*64 {
			return
		}
		tmp := t.TempDir()
		decoy := filepath.Join(tmp, "decoy")
		makeDecoy(t, decoy)
		before := treeState(t, decoy)
		layer := filepath.Join(tmp, "layer")
		data := fuzzTar(t, prog, decoy)
		_, err := Apply(bytes.NewReader(data), layer, Options{})
		if _, cerr := Check(bytes.NewReader(data), Options{}); err == nil && cerr != nil {
			t.Errorf("Check refuses a layer Apply accepts: %v", cerr)
		}
		if after := treeState(t, decoy); after != before {
			t.Fatalf("decoy changed by %v:\nbefore %s\nafter  %s", prog, before, after)
		}
		ents, _ := os.ReadDir(tmp)
		for _, e := range ents {
			if e.Name() != "decoy" && e.Name() != "layer" {
				t.Errorf("%s created beside the layer", e.Name())
			}
		}
		if _, serr := os.Lstat(layer); err != nil && serr == nil {
			t.Errorf("layer directory kept after %v", err)
		}
	})
}

// makeDecoy builds the tree a hostile layer aims at.
func makeDecoy(t *testing.T, d string) {
	t.Helper()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(d, "b", "c"), 0o755))
	must(os.WriteFile(filepath.Join(d, "passwd"), []byte("root:x:0:0\n"), 0o644))
	must(os.WriteFile(filepath.Join(d, "b", "file"), []byte("data"), 0o600))
	must(os.Symlink("passwd", filepath.Join(d, "link")))
	old := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range []string{"b/c", "b/file", "b", "passwd", "."} {
		must(os.Chtimes(filepath.Join(d, p), old, old))
	}
}

// fuzzTar turns the fuzzer's bytes into a layer tar.
func fuzzTar(t *testing.T, prog []byte, decoy string) []byte {
	names := []string{".", "a", "a/b", "a/passwd", "a/b/c", "/a/../../x", "../x", "a/.wh.passwd",
		"a/.wh..wh..opq", decoy, "../decoy", "/etc/passwd", "s", "h", "a/b/../../../decoy/passwd", "b"}
	name := func(b byte) string { return names[int(b)%len(names)] }
	types := []byte{tar.TypeDir, tar.TypeReg, tar.TypeSymlink, tar.TypeReg, tar.TypeLink, tar.TypeFifo}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i := 0; i+2 < len(prog); i += 3 {
		typ := types[int(prog[i])%len(types)]
		hdr := &tar.Header{Name: name(prog[i+1]), Typeflag: typ, Mode: int64(prog[i]) << 3 & 0o7777,
			ModTime: time.Unix(int64(prog[i+2])*1e7, 0), Format: tar.FormatPAX,
			PAXRecords: map[string]string{"SCHILY.xattr.user.fuzz": "x"}}
		if typ == tar.TypeSymlink || typ == tar.TypeLink {
			hdr.Linkname = name(prog[i+2])
		}
		var data []byte
		if typ == tar.TypeReg {
			data = []byte("pwned")
			hdr.Size = int64(len(data))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		tw.Write(data)
	}
	tw.Close()
	return buf.Bytes()
}
