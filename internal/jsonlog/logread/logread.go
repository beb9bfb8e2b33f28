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
// as far as the lines it needs. The files are opened first, so a
// rotation meanwhile moves names, not what is read. It returns the
// offset in the newest file where it stopped and that file's identity,
// for Follow.
func Read(path string, o Options, fn func(Entry) error) (int64, os.FileInfo, error) {
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for _, name := range Files(path) {
		f, err := os.Open(name)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, nil, err
		}
		files = append(files, f)
	}
	starts := make([]int64, len(files))
	first := 0
	if o.Tail >= 0 {
		// Walk back from the newest file until Tail lines are found.
		need := o.Tail
		first = len(files)
		for i := len(files) - 1; i >= 0 && need > 0; i-- {
			start, found, err := lastLines(files[i], need)
			if err != nil {
				return 0, nil, err
			}
			starts[i], first = start, i
			need -= found
		}
	}
	var end int64
	for i := first; i < len(files); i++ {
		n, err := readFrom(files[i], starts[i], o, fn)
		if err != nil {
			return 0, nil, err
		}
		end = n
	}
	if len(files) == 0 {
		return 0, nil, nil
	}
	newest, err := files[len(files)-1].Stat()
	if err != nil {
		return 0, nil, err
	}
	if first == len(files) {
		end = newest.Size() // tail 0: nothing read; follow from the end
	}
	return end, newest, nil
}

// chunk is how much lastLines reads at a time from the end.
const chunk = 64 << 10

// lastLines finds where the last n lines of a file start, reading it
// backwards in chunks, and how many lines (up to n) there are.
func lastLines(f *os.File, n int) (start int64, found int, err error) {
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

// readFrom decodes the entries of f from offset on, passing those
// within since/until to fn, and returns the offset after the last whole
// line.
func readFrom(f *os.File, offset int64, o Options, fn func(Entry) error) (int64, error) {
	r := bufio.NewReaderSize(io.NewSectionReader(f, offset, 1<<62), 64<<10)
	pos := offset
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			pos += int64(len(line))
			var e Entry
			if jerr := json.Unmarshal(line, &e); jerr != nil {
				return pos, fmt.Errorf("log %s at byte %d: %w", f.Name(), pos-int64(len(line)), jerr)
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
// says stop (it is asked after each poll that found nothing new). It
// holds the file open, so a rotation does not move what it reads: when
// path names another file, it reads the rest of the one it holds, then
// the files rotated in between (FILE.N-1 ... FILE.1, found by the held
// file's inode among FILE.1, FILE.2, ...), then the new one from its
// start. A file truncated in place (max-file 1) is read again from 0.
//
// offset is in the file from (what Read returned), wherever a rotation
// has moved it since; nil means path from offset.
func Follow(path string, offset int64, from os.FileInfo, o Options, done func() bool, fn func(Entry) error) error {
	name := path
	if from != nil {
		// Where the file Read stopped in is now.
		name = ""
		for i := 0; name == "" && i < 100; i++ {
			candidate := path
			if i > 0 {
				candidate = path + "." + strconv.Itoa(i)
			}
			fi, err := os.Stat(candidate)
			if err != nil && i == 0 {
				continue // the writer is between renaming FILE and making it anew
			}
			if err != nil {
				break
			}
			if os.SameFile(fi, from) {
				name = candidate
			}
		}
		if name == "" {
			name, offset = path, 0 // rotated away: from the current one
		}
	}
	cur, err := openWhenThere(name, done)
	if cur == nil || err != nil {
		return err
	}
	defer func() { cur.Close() }()
	for {
		n, err := readFrom(cur, offset, o, fn)
		if err != nil {
			return err
		}
		progressed := n > offset
		offset = n
		held, err := cur.Stat()
		if err != nil {
			return err
		}
		if held.Size() < offset {
			offset = 0 // truncated in place
			continue
		}
		if st, err := os.Stat(path); err == nil && !os.SameFile(st, held) {
			// Rotated: what the held file got since is read above on
			// the next pass; first, whatever else came after it.
			if n, err := readFrom(cur, offset, o, fn); err != nil {
				return err
			} else {
				offset = n
			}
			k := 0
			for i := 1; ; i++ {
				fi, err := os.Stat(path + "." + strconv.Itoa(i))
				if err != nil {
					break
				}
				if os.SameFile(fi, held) {
					k = i
					break
				}
			}
			for i := k - 1; i >= 1; i-- {
				f, err := os.Open(path + "." + strconv.Itoa(i))
				if err != nil {
					continue
				}
				_, err = readFrom(f, 0, o, fn)
				f.Close()
				if err != nil {
					return err
				}
			}
			next, err := openWhenThere(path, done)
			if next == nil || err != nil {
				return err
			}
			cur.Close()
			cur, offset = next, 0
			continue
		}
		if progressed {
			continue
		}
		if done() {
			// One last look: what came between the poll and done.
			if n, err := readFrom(cur, offset, o, fn); err != nil || n == offset {
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

// openWhenThere opens name, waiting while it is missing: a rotation
// renames FILE to FILE.1 before it makes FILE anew, and a loaded machine
// can hold the writer between the two. It gives up, returning no file
// and no error, once done says the writer has finished.
func openWhenThere(name string, done func() bool) (*os.File, error) {
	for {
		f, err := os.Open(name)
		if !errors.Is(err, os.ErrNotExist) {
			return f, err
		}
		if done() {
			return nil, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}
