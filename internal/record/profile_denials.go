package record

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ProfileDenialsFile, in a container's records directory, lists the
// system calls its seccomp filter only logged (`ward run --profile-mode
// log`), one name a line, in the order they were first made; Load puts
// them in State.ProfileDenials.
const ProfileDenialsFile = "profile-denials"

// ReadProfileDenials reads a profile-denials file: nil when there is none.
func ReadProfileDenials(file string) []string {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if name := strings.TrimSpace(sc.Text()); name != "" {
			out = append(out, name)
		}
	}
	return out
}

// ProfileDenialGapsFile, beside ProfileDenialsFile, says why a run's
// list may be incomplete (its observer stopped before the container, or
// never saw the workload's exec), one reason a line; Load puts them in
// State.ProfileDenialGaps. Never say "none" about what was not seen.
const ProfileDenialGapsFile = "profile-denial-gaps"

// AddProfileDenialGaps appends reasons to the gaps file of the records
// directory dir (nothing when there are none, or the directory is gone).
func AddProfileDenialGaps(dir string, reasons ...string) error {
	if len(reasons) == 0 {
		return nil
	}
	f, err := os.OpenFile(filepath.Join(dir, ProfileDenialGapsFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if errors.Is(err, os.ErrNotExist) {
		return nil // a --rm container, removed
	}
	if err != nil {
		return fmt.Errorf("record profile denial gaps: %w", err)
	}
	defer f.Close()
	_, err = f.WriteString(strings.Join(reasons, "\n") + "\n")
	return err
}
