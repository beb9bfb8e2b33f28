package record

import (
	"bufio"
	"bytes"
	"os"
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
