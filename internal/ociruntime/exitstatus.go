package ociruntime

import (
	"errors"
	"regexp"
	"sync"
)

// Class is what a failure to create or start a container means for the
// user, as Docker's exit statuses say it: the command was not found (127),
// it was found and cannot be invoked (126), or anything else went wrong
// before it ran (125).
type Class int

const (
	// ClassRuntime: ward or the runtime failed before the command was
	// executed (a mount, a limit, a namespace...).
	ClassRuntime Class = iota
	// ClassNotFound: the container's command does not exist.
	ClassNotFound
	// ClassCannotInvoke: the command exists and cannot be executed.
	ClassCannotInvoke
)

// ExitStatus is Docker's exit status for the class.
func (c Class) ExitStatus() int {
	switch c {
	case ClassNotFound:
		return 127
	case ClassCannotInvoke:
		return 126
	}
	return 125
}

// runc's command line carries a failure only as the runtime's message, so
// this is the one place where wording is read, and only the exec step's
// own wording counts: runc and ward-runtime say `exec: "NAME": ...`, crun
// `executable file `NAME` not found` or `open executable`. A mount of a
// missing path ("no such file or directory" about /nonexistent) is not
// the command missing.
//
// Compiled on first use, not at every start of the program.
var (
	notFoundRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`exec: "[^"]*": (executable file not found|(stat [^:]*: )?no such file or directory)|executable file ` + "`" + `[^` + "`" + `]*` + "`" + ` not found`)
	})
	cannotInvokeRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`exec: "[^"]*": (is a directory|(stat [^:]*: )?permission denied|exec format error)|open executable: (Permission denied|Is a directory)`)
	})
)

// ClassOf classifies a runtime's message.
func ClassOf(msg string) Class {
	switch {
	case notFoundRE().MatchString(msg):
		return ClassNotFound
	case cannotInvokeRE().MatchString(msg):
		return ClassCannotInvoke
	}
	return ClassRuntime
}

// ExitStatus gives a failure to create or start a container Docker's exit
// status: the class of a runtime *Error, 125 for any other error.
func ExitStatus(err error) int {
	var re *Error
	if errors.As(err, &re) {
		return ClassOf(re.Msg).ExitStatus()
	}
	return 125
}
