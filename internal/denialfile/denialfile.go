// Package denialfile reads and writes the files in a container's records
// directory that list the system calls it made outside its learned
// profile under --profile-mode log, and why such a list may be
// incomplete. It is apart from internal/record so that ward-observe,
// which writes them for as long as its container runs, links nothing of
// the record's spec and image types.
package denialfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
)

const (
	// Denials lists the calls, one name a line, in the order they were
	// first made (inspect's .State.ProfileDenials).
	Denials = "profile-denials"
	// Gaps says why Denials may be incomplete, one reason a line: an
	// observer that stopped before the container, or never saw the
	// workload's exec (inspect's .State.ProfileDenialGaps). Never say
	// "none" about what was not seen.
	Gaps = "profile-denial-gaps"
)

// Read reads one of the files: its non-empty lines, nil when there is none.
func Read(file string) []string {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// Append adds lines to file. A records directory that is gone (a --rm
// container, removed) is not an error: nothing is left to inspect.
func Append(file string, lines ...string) error {
	if len(lines) == 0 {
		return nil
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("record profile denials: %w", err)
	}
	_, err = f.WriteString(strings.Join(lines, "\n") + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
