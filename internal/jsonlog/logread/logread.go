// Package logread reads the json-file logs package jsonlog writes: the
// last N lines from the end of the files (without reading the rest),
// entries between two times, and new entries as they are written.
package logread

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Entry is one line of a log.
type Entry struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

// Files lists a log's files oldest first: FILE.N ... FILE.1, FILE.
func Files(path string) []string {
	var rotated []string
	for i := 1; ; i++ {
		p := path + "." + strconv.Itoa(i)
		if _, err := os.Stat(p); err != nil {
			break
		}
		rotated = append(rotated, p)
	}
	out := make([]string, 0, len(rotated)+1)
	for i := len(rotated) - 1; i >= 0; i-- {
		out = append(out, rotated[i])
	}
	return append(out, path)
}

// Options select the entries to read, as docker logs does.
type Options struct {
	Tail         int // the last Tail lines; negative for all
	Since, Until time.Time
}

// Read calls fn for the selected entries of the log at path, oldest
// first. With a tail it reads the files from their end backwards, only
// as far as the lines it needs. It returns the offset in the current
// file (path) where it stopped, for Follow.
func Read(path string, o Options, fn func(Entry) error) (int64, error) {
	files := Files(path)
	type span struct {
		file  string
		start int64
	}
	spans := make([]span, 0, len(files))
	for _, f := range files {
		spans = append(spans, span{file: f})
	}
	if o.Tail >= 0 {
		// Walk back from the newest file until Tail lines are found.
		need := o.Tail
		first := len(spans)
		for i := len(spans) - 1; i >= 0 && need > 0; i-- {
			start, found, err := lastLines(spans[i].file, need)
			if err != nil {
				return 0, err
			}
			spans[i].start = start
			first = i
			need -= found
		}
		spans = spans[first:]
	}
	var end int64
	for _, s := range spans {
		n, err := readFrom(s.file, s.start, o, fn)
		if err != nil {
			return 0, err
		}
		end = n
	}
	if len(spans) == 0 || spans[len(spans)-1].file != path {
		// Tail 0: nothing read; follow from the current end.
		if st, err := os.Stat(path); err == nil {
			end = st.Size()
		}
	}
	return end, nil
}

// chunk is how much lastLines reads at a time from the end.
const chunk = 64 << 10

// lastLines finds where the last n lines of a file start, reading it
// backwards in chunks, and how many lines (up to n) there are.
func lastLines(file string, n int) (start int64, found int, err error) {
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	pos := st.Size()
	buf := make([]byte, chunk)
	// The file ends with a newline: the first one found from the end is
	// the last line's own; a line starts after each one before it.
	skipLast := true
	for pos > 0 {
		size := min(int64(chunk), pos)
		pos -= size
		if _, err := f.ReadAt(buf[:size], pos); err != nil {
			return 0, 0, err
		}
		b := buf[:size]
		for i := len(b) - 1; i >= 0; i-- {
			if b[i] != '\n' {
				continue
			}
			if skipLast {
				skipLast = false
				continue
			}
			found++
			if found == n {
				return pos + int64(i) + 1, found, nil
			}
		}
	}
	if st.Size() > 0 {
		found++ // the first line of the file
	}
	return 0, min(found, n), nil
}

// readFrom decodes the entries of file from offset on, passing those
// within since/until to fn, and returns the offset after the last whole
// line.
func readFrom(file string, offset int64, o Options, fn func(Entry) error) (int64, error) {
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return 0, err
	}
	r := bufio.NewReaderSize(f, 64<<10)
	pos := offset
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			pos += int64(len(line))
			var e Entry
			if jerr := json.Unmarshal(line, &e); jerr != nil {
				return pos, fmt.Errorf("log %s at byte %d: %w", file, pos-int64(len(line)), jerr)
			}
			if (o.Since.IsZero() || !e.Time.Before(o.Since)) && (o.Until.IsZero() || e.Time.Before(o.Until)) {
				if ferr := fn(e); ferr != nil {
					return pos, ferr
				}
			}
		}
		if err == io.EOF {
			return pos, nil // a partial last line is read next time
		}
		if err != nil {
			return pos, err
		}
	}
}

// Follow reads the entries written to path after offset, until done
// says stop (it is asked after each poll that found nothing new), and
// follows a rotation: when the file is replaced or shrinks, what was
// left of the old one is read from FILE.1 and the new one from its
// start.
func Follow(path string, offset int64, o Options, done func() bool, fn func(Entry) error) error {
	ident := func(p string) (uint64, int64, bool) {
		st, err := os.Stat(p)
		if err != nil {
			return 0, 0, false
		}
		return inode(st), st.Size(), true
	}
	ino, _, _ := ident(path)
	for {
		cur, size, ok := ident(path)
		switch {
		case ok && cur != ino:
			// Rotated, maybe more than once since the last poll: the
			// rest of the old file is now FILE.N, followed by FILE.N-1
			// ... FILE.1 whole.
			n := 0
			for i := 1; ; i++ {
				old, _, ok := ident(path + "." + strconv.Itoa(i))
				if !ok {
					break
				}
				if old == ino {
					n = i
					break
				}
			}
			for i := n; i >= 1; i-- {
				from := int64(0)
				if i == n {
					from = offset
				}
				if _, err := readFrom(path+"."+strconv.Itoa(i), from, o, fn); err != nil {
					return err
				}
			}
			ino, offset = cur, 0
			continue
		case ok && size < offset:
			offset = 0 // truncated in place (max-file 1)
		case ok && size > offset:
			n, err := readFrom(path, offset, o, fn)
			if err != nil {
				return err
			}
			if n > offset {
				offset = n
				continue
			}
		}
		if done() {
			// One last look: what came between the poll and done.
			if n, err := readFrom(path, offset, o, fn); err != nil || n == offset {
				return err
			}
			continue
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ParseTime reads --since and --until as docker logs does: RFC 3339
// (with or without fractional seconds or zone), a Unix time (with
// fractional seconds), or a duration before now such as 10m.
func ParseTime(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	sec, frac, _ := strings.Cut(v, ".")
	if s, err := strconv.ParseInt(sec, 10, 64); err == nil {
		ns := int64(0)
		if frac != "" {
			f := (frac + "000000000")[:9]
			if ns, err = strconv.ParseInt(f, 10, 64); err != nil {
				return time.Time{}, fmt.Errorf("invalid time %q", v)
			}
		}
		return time.Unix(s, ns), nil
	}
	return time.Time{}, fmt.Errorf("invalid time %q: want RFC 3339, a Unix time or a duration such as 10m", v)
}
