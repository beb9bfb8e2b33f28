package ociruntime

import "strings"

// ExitStatus gives a failure to create or start a container Docker's
// exit status, from the wording of the runtime's message as Docker's
// daemon reads it: 127 the command was not found, 126 it cannot be
// invoked, 125 anything else.
func ExitStatus(err error) int {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "executable file not found"), strings.Contains(msg, "no such file or directory"):
		return 127
	case strings.Contains(msg, "permission denied"), strings.Contains(msg, "is a directory"):
		return 126
	}
	return 125
}
