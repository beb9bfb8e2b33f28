package jsonlog

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The hand-written encoding must be what encoding/json decodes back to
// the same text, for every awkward byte.
func TestEntryRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	w, err := Open(path, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	w.now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC) }
	lines := []string{
		"plain\n", "quote \" backslash \\ tab \t cr \r\n", "ctrl \x00\x01\x1f del \x7f\n",
		"html <a href=\"x\">&</a>\n", "utf-8 é 日本 \u2028 \u2029\n", "bad \xff\xfe utf-8\n", "no newline at the end",
	}
	s := w.Stream("stderr")
	for _, l := range lines {
		if _, err := s.Write([]byte(l)); err != nil {
			t.Fatal(err)
		}
	}
	s.Flush()
	w.Close()
	got := readAll(t, path)
	if len(got) != len(lines) {
		t.Fatalf("%d entries, want %d", len(got), len(lines))
	}
	for i, e := range got {
		// What encoding/json makes of the same text (U+FFFD for each
		// invalid byte).
		b, _ := json.Marshal(lines[i])
		var want string
		json.Unmarshal(b, &want)
		if e.Log != want || e.Stream != "stderr" || e.Time != "2026-01-02T03:04:05.000000006Z" {
			t.Errorf("entry %d = %+v, want log %q", i, e, want)
		}
	}
}

type entry struct{ Log, Stream, Time string }

func readAll(t *testing.T, path string) []entry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []entry
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e struct{ Log, Stream, Time string }
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

// Writes cut anywhere make the same lines; a line longer than 16 KiB is
// cut into 16 KiB entries, as Docker does.
func TestStreamSplitsLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	w, err := Open(path, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := w.Stream("stdout")
	text := "one\ntwo\nthree\n" + strings.Repeat("x", 40<<10) + "\n" + strings.Repeat("z", 20<<10) + "\nend"
	for i := 0; i < len(text); i += 7 {
		s.Write([]byte(text[i:min(i+7, len(text))]))
	}
	s.Flush()
	w.Close()
	var joined string
	var sizes []int
	for _, e := range readAll(t, path) {
		joined += e.Log
		sizes = append(sizes, len(e.Log))
	}
	if joined != text {
		t.Errorf("entries join to %d bytes, want %d", len(joined), len(text))
	}
	want := []int{4, 4, 6, 16 << 10, 16 << 10, 8<<10 + 1, 16 << 10, 4<<10 + 1, 3}
	if len(sizes) != len(want) {
		t.Fatalf("entry sizes %v, want %v", sizes, want)
	}
	for i := range want {
		if sizes[i] != want[i] {
			t.Fatalf("entry sizes %v, want %v", sizes, want)
		}
	}
}

// Rotation keeps max-file files of about max-size each, newest last.
func TestRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	w, err := Open(path, 1000, 3)
	if err != nil {
		t.Fatal(err)
	}
	s := w.Stream("stdout")
	for i := range 200 {
		s.Write([]byte(strings.Repeat("y", 10) + string(rune('a'+i%26)) + "\n"))
	}
	w.Close()
	for _, f := range []string{path, path + ".1", path + ".2"} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > 1000+200 {
			t.Errorf("%s: %d bytes, more than max-size and one entry", f, st.Size())
		}
	}
	if _, err := os.Stat(path + ".3"); err == nil {
		t.Errorf("a fourth file with max-file 3")
	}
	last := readAll(t, path)
	if got := last[len(last)-1].Log; got != strings.Repeat("y", 10)+string(rune('a'+199%26))+"\n" {
		t.Errorf("last entry %q is not the last line written", got)
	}
	// max-file 1: the one file is emptied.
	one := filepath.Join(t.TempDir(), "one")
	w, err = Open(one, 500, 1)
	if err != nil {
		t.Fatal(err)
	}
	s = w.Stream("stdout")
	for range 100 {
		s.Write([]byte("0123456789\n"))
	}
	w.Close()
	if st, _ := os.Stat(one); st.Size() > 500+100 {
		t.Errorf("max-file 1: %d bytes", st.Size())
	}
}
