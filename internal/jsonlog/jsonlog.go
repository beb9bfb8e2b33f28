// Package jsonlog writes a container's output as Docker's json-file log
// driver does: one JSON object a line, {"log":TEXT,"stream":"stdout"|
// "stderr","time":RFC3339Nano}, TEXT a line with its newline (or a piece
// of at most 16 KiB of a longer one, or the last bytes before the end),
// rotated by size into FILE.1, FILE.2, ... as max-size and max-file say.
// It is used by ward-monitor, which lives as long as its container, so
// it encodes by hand: no encoding/json, no fmt. Package logread reads it.
package jsonlog

import (
	"os"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// maxLine is where Docker cuts a line without a newline into entries.
const maxLine = 16 << 10

// Writer appends entries to a log file, rotating it. It is safe for use
// by the copies of both streams at once.
type Writer struct {
	mu       sync.Mutex
	path     string
	f        *os.File
	size     int64
	maxSize  int64 // 0: no rotation
	maxFiles int   // files kept, the current one included; at least 1
	now      func() time.Time
	buf      []byte
}

// Open opens (creating) the log at path for appending. maxSize 0 never
// rotates; maxFiles below 1 counts as 1, Docker's default.
func Open(path string, maxSize int64, maxFiles int) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Writer{path: path, f: f, size: st.Size(), maxSize: maxSize, maxFiles: max(maxFiles, 1), now: time.Now}, nil
}

// Close closes the file.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.f.Close()
}

// entry writes one entry. The write is synchronous: a container writing
// faster than the disk takes it blocks on its pipe, as under Docker,
// and nothing is dropped.
func (w *Writer) entry(stream string, line []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.maxSize > 0 && w.size >= w.maxSize {
		if err := w.rotate(); err != nil {
			return err
		}
	}
	b := append(w.buf[:0], `{"log":"`...)
	b = appendEscaped(b, line)
	b = append(b, `","stream":"`...)
	b = append(b, stream...)
	b = append(b, `","time":"`...)
	b = w.now().UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, "\"}\n"...)
	w.buf = b
	n, err := w.f.Write(b)
	w.size += int64(n)
	return err
}

// rotate renames FILE.N-1 to FILE.N ... FILE to FILE.1, dropping what
// falls beyond maxFiles, and starts an empty FILE.
func (w *Writer) rotate() error {
	if w.maxFiles == 1 {
		if err := w.f.Truncate(0); err != nil {
			return err
		}
		w.size = 0
		return nil
	}
	for i := w.maxFiles - 1; i > 1; i-- {
		os.Rename(w.path+"."+strconv.Itoa(i-1), w.path+"."+strconv.Itoa(i))
	}
	if err := os.Rename(w.path, w.path+".1"); err != nil {
		return err
	}
	f, err := os.OpenFile(w.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	w.f.Close()
	w.f, w.size = f, 0
	return nil
}

const hex = "0123456789abcdef"

// appendEscaped appends s as the inside of a JSON string, as
// encoding/json does (HTML characters escaped too, invalid UTF-8 as
// U+FFFD).
func appendEscaped(b, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}

// Stream is one stream's writer: it cuts what it is given into lines
// (or 16 KiB pieces) and writes each as an entry. Flush writes a last
// partial line.
type Stream struct {
	w       *Writer
	name    string
	pending []byte
	err     error
}

// Stream returns the writer of the stream named name ("stdout" or
// "stderr").
func (w *Writer) Stream(name string) *Stream { return &Stream{w: w, name: name} }

// Write cuts p into entries. A failed write to the log is returned, and
// the rest of p is not written (the caller keeps reading its pipe).
func (s *Stream) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := indexNewline(p)
		end := len(p)
		if i >= 0 {
			end = i + 1
		}
		if room := maxLine - len(s.pending); end > room {
			// Longer than Docker's entry: cut at 16 KiB.
			s.pending = append(s.pending, p[:room]...)
			p = p[room:]
			if err := s.flush(); err != nil {
				return n, err
			}
			continue
		}
		if i < 0 {
			s.pending = append(s.pending, p...)
			if len(s.pending) == maxLine {
				return n, s.flush()
			}
			return n, nil
		}
		var err error
		if len(s.pending) == 0 {
			err = s.w.entry(s.name, p[:end])
		} else {
			s.pending = append(s.pending, p[:end]...)
			err = s.flush()
		}
		if err != nil {
			return n, err
		}
		p = p[end:]
	}
	return n, nil
}

// Flush writes what is left of a line without its newline.
func (s *Stream) Flush() error { return s.flush() }

func (s *Stream) flush() error {
	if len(s.pending) == 0 {
		return nil
	}
	err := s.w.entry(s.name, s.pending)
	s.pending = s.pending[:0]
	return err
}

func indexNewline(p []byte) int {
	for i, c := range p {
		if c == '\n' {
			return i
		}
	}
	return -1
}
