package record

import (
	"path/filepath"

	"github.com/wardproject/ward/internal/denialfile"
)

// ProfileDenialsFile, in a container's records directory, lists the
// system calls its seccomp filter only logged (`ward run --profile-mode
// log`), one name a line, in the order they were first made; Load puts
// them in State.ProfileDenials. (internal/denialfile writes it.)
const ProfileDenialsFile = denialfile.Denials

// ProfileDenialGapsFile, beside ProfileDenialsFile, says why a run's
// list may be incomplete, one reason a line; Load puts them in
// State.ProfileDenialGaps.
const ProfileDenialGapsFile = denialfile.Gaps

// ReadProfileDenials reads a profile-denials file: nil when there is none.
func ReadProfileDenials(file string) []string { return denialfile.Read(file) }

// AddProfileDenialGaps appends reasons to the gaps file of the records
// directory dir (nothing when there are none, or the directory is gone).
func AddProfileDenialGaps(dir string, reasons ...string) error {
	return denialfile.Append(filepath.Join(dir, ProfileDenialGapsFile), reasons...)
}
