package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
)

// TestCheckAgreesWithApply: what Check refuses at load, Apply would refuse
// at the first run, and what Apply accepts Check accepts.
func TestCheckAgreesWithApply(t *testing.T) {
	long := strings.Repeat("n", 256)
	deep := strings.Repeat("d/", 2100) + "f"
	tests := []struct {
		name    string
		entries []entry
		cut     int
		wantErr string // "" when both accept
	}{
		{"plain layer", []entry{dir("etc"), file("etc/passwd", "root"), symlink("bin", "usr/bin"), hardlink("etc/pw", "etc/passwd")}, 0, ""},
		{"dotdot entry", []entry{file("../x", "x")}, 0, "escapes the layer directory"},
		{"dotdot deep entry", []entry{file("a/../../x", "x")}, 0, "escapes the layer directory"},
		{"hard link out", []entry{hardlink("pw", "/etc/passwd")}, 0, "is not in the layer"},
		{"hard link climbing", []entry{hardlink("pw", "../etc/passwd")}, 0, "escapes the layer directory"},
		{"hard link to a directory", []entry{dir("d"), hardlink("h", "d")}, 0, "is a directory"},
		{"hard link through a layer symlink", []entry{dir("real"), file("real/f", "x"), symlink("s", "real"), hardlink("h", "s/f")}, 0, ""},
		{"bad whiteout", []entry{file("d/.wh...", "")}, 0, "invalid whiteout name"},
		{"empty whiteout", []entry{file("d/.wh.", "")}, 0, "invalid whiteout name"},
		{"over-long name", []entry{file(long, "x")}, 0, "longer than the 255"},
		{"over-long path", []entry{file(deep, "x")}, 0, "longer than the 4095"},
		{"truncated tar", []entry{file("a", strings.Repeat("x", 4096))}, 1024 + 2048, "unexpected EOF"},
		{"entry below a file", []entry{file("a", "x"), file("a/b", "y")}, 0, "not a directory"},
		{"device node", []entry{{name: "sda", typ: tar.TypeBlock, mode: 0o660, major: 8}}, 0, "device node refused"},
		{"file as the root", []entry{file(".", "x")}, 0, "must be a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := buildTar(t, tc.entries, tc.cut)
			_, cerr := Check(bytes.NewReader(data), Options{})
			s := newSandbox(t)
			_, aerr := Apply(bytes.NewReader(data), s.layer, Options{})
			if tc.wantErr == "" {
				if cerr != nil || aerr != nil {
					t.Fatalf("Check: %v, Apply: %v; want both to accept", cerr, aerr)
				}
				return
			}
			for what, err := range map[string]error{"Check": cerr, "Apply": aerr} {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("%s = %v, want an error containing %q", what, err, tc.wantErr)
				}
			}
		})
	}
}

// TestCheckTruncatedInsideGzip: a tar cut short inside a valid gzip stream
// (what the store decompresses) is refused.
func TestCheckTruncatedInsideGzip(t *testing.T) {
	data := buildTar(t, []entry{file("a", strings.Repeat("x", 8192))}, 4096)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	zr, err := gzip.NewReader(&gz)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Check(zr, Options{}); err == nil || !strings.Contains(err.Error(), `"a"`) {
		t.Fatalf("Check = %v, want an error naming the entry", err)
	}
}
