// Package events is ward's journal of what happened to containers,
// images, volumes and networks: one JSON object per line in
// ROOT/events.jsonl, appended by ward and by the monitors (each line one
// write to a file opened O_APPEND, so concurrent writers do not mix
// lines), and read back by `ward events` as docker events prints them.
package events

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Event is one line of the journal, in the shape of Docker's events API
// (what `docker events --format '{{json .}}'` prints).
type Event struct {
	Status   string `json:"status,omitempty"`
	ID       string `json:"id,omitempty"`
	From     string `json:"from,omitempty"`
	Type     string
	Action   string
	Actor    Actor
	Scope    string `json:"scope"`
	Time     int64  `json:"time"`
	TimeNano int64  `json:"timeNano"`
}

// Actor is what the event happened to.
type Actor struct {
	ID         string
	Attributes map[string]string
}

// File is the journal's name under ward's root; when it passes MaxSize
// it becomes File+".1" (replacing the one before), so the journal holds
// between MaxSize and twice as much of the latest events.
const File = "events.jsonl"

// MaxSize is the size at which the journal is rotated.
var MaxSize int64 = 8 << 20

// Append records an event now. A journal that cannot be written is not
// the caller's failure: the error is returned for a warning.
func Append(root, typ, action, id string, attrs map[string]string) error {
	now := time.Now()
	ev := Event{Type: typ, Action: action, Actor: Actor{ID: id, Attributes: attrs}, Scope: "local",
		Time: now.Unix(), TimeNano: now.UnixNano()}
	if typ == "container" {
		// Docker's older fields, kept by its API for containers.
		ev.Status, ev.ID, ev.From = action, id, attrs["image"]
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	path := filepath.Join(root, File)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("events journal: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() >= MaxSize {
		// A writer racing this one may append to the rotated file: its
		// line is kept there, not lost.
		os.Rename(path, path+".1")
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("events journal: %w", err)
	}
	return nil
}

// readAll sends a rotated journal's events in [since, until].
func readAll(r io.Reader, since, until time.Time, fn func(Event) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var ev Event
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			continue
		}
		t := time.Unix(0, ev.TimeNano)
		if (until.IsZero() || !t.After(until)) && (since.IsZero() || !t.Before(since)) {
			if err := fn(ev); err != nil {
				return err
			}
		}
	}
	return sc.Err()
}

// Text is an event as docker events prints it: time, type, action, the
// actor's ID, its attributes sorted by name.
func (e Event) Text() string {
	keys := make([]string, 0, len(e.Actor.Attributes))
	for k := range e.Actor.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var attrs []string
	for _, k := range keys {
		attrs = append(attrs, k+"="+e.Actor.Attributes[k])
	}
	s := time.Unix(0, e.TimeNano).Format("2006-01-02T15:04:05.000000000Z07:00") + " " + e.Type + " " + e.Action + " " + e.Actor.ID
	if len(attrs) > 0 {
		s += " (" + strings.Join(attrs, ", ") + ")"
	}
	return s
}

// Read sends the journal's events from since to until (zero: no bound)
// to fn; with follow it then waits for new ones until ctx ends or until
// passes.
func Read(ctx context.Context, root string, since, until time.Time, follow bool, fn func(Event) error) error {
	path := filepath.Join(root, File)
	if old, err := os.Open(path + ".1"); err == nil {
		err := readAll(old, since, until, fn)
		old.Close()
		if err != nil {
			return err
		}
	}
	f, err := os.Open(path)
	for errors.Is(err, os.ErrNotExist) && follow {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(200 * time.Millisecond):
		}
		if !until.IsZero() && time.Now().After(until) {
			return nil
		}
		f, err = os.Open(path)
	}
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("events journal: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var partial []byte
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			line = append(partial, line...)
			partial = nil
			var ev Event
			if json.Unmarshal(line, &ev) == nil {
				t := time.Unix(0, ev.TimeNano)
				if !until.IsZero() && t.After(until) {
					return nil
				}
				if since.IsZero() || !t.Before(since) {
					if err := fn(ev); err != nil {
						return err
					}
				}
			}
			continue
		}
		partial = append(partial, line...)
		if err != nil && err != io.EOF {
			return err
		}
		if !follow || (!until.IsZero() && time.Now().After(until)) {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(100 * time.Millisecond):
		}
	}
}
