// Package exitstatus is the one error type that carries the status a ward
// binary exits with: 1 for a verb other than run failing (docker's image
// and container verbs, cosign), 1 or 2 for the audit verbs (findings,
// usage), 125/126/127 for a container that could not run (docker run),
// or a container's own status. It links no fmt: ward-monitor uses it. internal/cli asks every error it ends with
// for ExitCode; an error without one exits 125.
package exitstatus

import "errors"

// Error is an error with the status its process exits with. Err nil is a
// status whose message was already shown (a container's own exit, a
// refusal already printed): nothing more is printed.
type Error struct {
	Code int
	Err  error
}

// New gives err the status code.
func New(code int, err error) *Error { return &Error{Code: code, Err: err} }

// Silent is the status code with nothing more to print.
func Silent(code int) *Error { return &Error{Code: code} }

func (e *Error) Error() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// ExitCode is the status the process exits with.
func (e *Error) ExitCode() int { return e.Code }

// Always makes every error of run (a cobra RunE) carry code, unless it
// is or wraps an *Error: that one is returned as it is.
func Always[C any](code int, run func(C, []string) error) func(C, []string) error {
	return func(c C, args []string) error {
		err := run(c, args)
		if err == nil {
			return nil
		}
		var e *Error
		if errors.As(err, &e) {
			return e
		}
		return New(code, err)
	}
}
