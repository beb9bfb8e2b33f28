package logread

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var base = time.Date(2026, 3, 4, 5, 0, 0, 0, time.UTC)

// writeLog writes entries "line N" (N from first), one second apart
// from base+first seconds, alternating stdout and stderr.
func writeLog(t *testing.T, path string, first, n int) {
	t.Helper()
	var b strings.Builder
	for i := first; i < first+n; i++ {
		stream := "stdout"
		if i%2 == 1 {
			stream = "stderr"
		}
		fmt.Fprintf(&b, `{"log":"line %d\n","stream":"%s","time":"%s"}`+"\n", i, stream, base.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

func collect(t *testing.T, path string, o Options) []string {
	t.Helper()
	var out []string
	if _, _, err := Read(path, o, func(e Entry) error {
		out = append(out, strings.TrimSuffix(e.Log, "\n")+" "+e.Stream)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func lines(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		s := "stdout"
		if i%2 == 1 {
			s = "stderr"
		}
		out = append(out, fmt.Sprintf("line %d %s", i, s))
	}
	return out
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "container.log")
	// Rotated: .2 is oldest (0-9), .1 (10-19), then the current (20-24).
	writeLog(t, path+".2", 0, 10)
	writeLog(t, path+".1", 10, 10)
	writeLog(t, path, 20, 5)
	for _, tc := range []struct {
		name string
		o    Options
		want []string
	}{
		{"all", Options{Tail: -1}, lines(0, 24)},
		{"tail within the current file", Options{Tail: 3}, lines(22, 24)},
		{"tail exactly the current file", Options{Tail: 5}, lines(20, 24)},
		{"tail across files", Options{Tail: 17}, lines(8, 24)},
		{"tail more than there is", Options{Tail: 1000}, lines(0, 24)},
		{"tail 0", Options{Tail: 0}, nil},
		{"since", Options{Tail: -1, Since: base.Add(21 * time.Second)}, lines(21, 24)},
		{"until", Options{Tail: -1, Until: base.Add(3 * time.Second)}, lines(0, 2)},
		{"since and until", Options{Tail: -1, Since: base.Add(9 * time.Second), Until: base.Add(12 * time.Second)}, lines(9, 11)},
		{"tail then since", Options{Tail: 4, Since: base.Add(23 * time.Second)}, lines(23, 24)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := collect(t, path, tc.o)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// --tail reads from the end: a huge first line is never read.
func TestTailReadsFromTheEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "container.log")
	writeLog(t, path, 0, 3)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Not JSON at all: reading it would fail.
	f.WriteString(strings.Repeat("garbage", 100000) + "\n")
	f.Close()
	f, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(f, `{"log":"line %d\n","stream":"stdout","time":"%s"}`+"\n", i, base.Format(time.RFC3339Nano))
	}
	f.Close()
	var got []string
	if _, _, err := Read(path, Options{Tail: 2}, func(e Entry) error { got = append(got, e.Log); return nil }); err != nil {
		t.Fatalf("tail read the garbage line: %v", err)
	}
	if strings.Join(got, "") != "line 2\nline 3\n" {
		t.Errorf("got %q", got)
	}
}

// Follow reads what is appended and what a rotation moved to FILE.1.
func TestFollowAcrossRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "container.log")
	writeLog(t, path, 0, 2)
	offset, from, err := Read(path, Options{Tail: -1}, func(Entry) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- Follow(path, offset, from, Options{Tail: -1}, func() bool {
			select {
			case <-stop:
				return true
			default:
				return false
			}
		}, func(e Entry) error { got = append(got, strings.TrimSuffix(e.Log, "\n")); return nil })
	}()
	time.Sleep(200 * time.Millisecond)
	// Lines 2-3 appended, then rotated away with 4 added after them
	// before the follower looked, then line 5 in the new file.
	appendLines(t, path, 2, 3)
	time.Sleep(300 * time.Millisecond)
	appendLines(t, path, 4, 4)
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	writeLog(t, path, 5, 1)
	time.Sleep(300 * time.Millisecond)
	// Two rotations between two polls: 6 in a file rotated to .2, 7 in
	// one rotated to .1, 8 in the current one.
	appendLines(t, path, 6, 6)
	os.Rename(path+".1", path+".3")
	os.Rename(path, path+".2")
	writeLog(t, path+".1", 7, 1)
	writeLog(t, path, 8, 1)
	time.Sleep(300 * time.Millisecond)
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "line 2,line 3,line 4,line 5,line 6,line 7,line 8" {
		t.Errorf("followed %q", got)
	}
}

func appendLines(t *testing.T, path string, from, to int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := from; i <= to; i++ {
		fmt.Fprintf(f, `{"log":"line %d\n","stream":"stdout","time":"%s"}`+"\n", i, base.Format(time.RFC3339Nano))
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
		err  bool
	}{
		{in: "10m", want: now.Add(-10 * time.Minute)},
		{in: "2026-05-06T07:00:00Z", want: time.Date(2026, 5, 6, 7, 0, 0, 0, time.UTC)},
		{in: "2026-05-06T07:00:00.5+02:00", want: time.Date(2026, 5, 6, 5, 0, 0, 5e8, time.UTC)},
		{in: "2026-05-06", want: time.Date(2026, 5, 6, 0, 0, 0, 0, time.UTC)},
		{in: "1778051289", want: time.Unix(1778051289, 0)},
		{in: "1778051289.25", want: time.Unix(1778051289, 25e7)},
		{in: "yesterday", err: true},
	} {
		got, err := ParseTime(tc.in, now)
		if (err != nil) != tc.err || (!tc.err && !got.Equal(tc.want)) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}
