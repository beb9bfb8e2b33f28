// Package containerlogs is `ward logs`: a container's json-file log read
// with --tail, --since and --until, each stream printed to its own, and
// with --follow what comes next until the container's monitor is done.
package containerlogs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/wardproject/ward/internal/jsonlog/logread"
	"github.com/wardproject/ward/internal/record"
)

// Options reads logs' --tail, --since and --until.
func Options(tail, since, until string) (logread.Options, error) {
	o := logread.Options{Tail: -1}
	if tail != "all" && tail != "" {
		n, err := strconv.Atoi(tail)
		if err != nil {
			return o, fmt.Errorf("--tail %q: want a number of lines or all", tail)
		}
		if n >= 0 {
			o.Tail = n
		}
	}
	now := time.Now()
	var err error
	if o.Since, err = logread.ParseTime(since, now); err != nil {
		return o, fmt.Errorf("--since: %w", err)
	}
	if o.Until, err = logread.ParseTime(until, now); err != nil {
		return o, fmt.Errorf("--until: %w", err)
	}
	return o, nil
}

// Print prints c's log, each stream to its own, and with follow what
// comes next until the container's monitor (in records) is done.
func Print(records *record.Records, c *record.Container, o logread.Options, follow, timestamps bool, out, errOut io.Writer) error {
	stdout, stderr := bufio.NewWriterSize(out, 64<<10), bufio.NewWriterSize(errOut, 4<<10)
	defer stdout.Flush()
	defer stderr.Flush()
	print := func(en logread.Entry) error {
		w := stdout
		if en.Stream == "stderr" {
			stdout.Flush() // keep the order the two streams had
			w = stderr
		}
		if timestamps {
			w.WriteString(en.Time.UTC().Format(time.RFC3339Nano))
			w.WriteByte(' ')
		}
		_, err := w.WriteString(en.Log)
		if en.Stream == "stderr" {
			stderr.Flush()
		}
		return err
	}
	if _, err := os.Stat(c.LogPath); errors.Is(err, os.ErrNotExist) {
		return nil // never started
	}
	offset, from, err := logread.Read(c.LogPath, o, print)
	if err != nil || !follow || (!o.Until.IsZero() && o.Until.Before(time.Now())) {
		return err
	}
	stdout.Flush()
	flushing := func() bool {
		stdout.Flush()
		return !records.Monitored(c.ID)
	}
	o.Tail = -1
	return logread.Follow(c.LogPath, offset, from, o, flushing, print)
}
