// Command ward-observe watches one run of a detached container in
// --profile-mode log for its monitor, which starts it beside the
// container only in that mode: the system calls the container makes
// outside its learned profile land in its records (`ward inspect`'s
// .State.ProfileDenials). See internal/profilewatch for the protocol.
//
//	ward-observe --root ROOT ID
package main

import (
	"os"

	"github.com/wardproject/ward/internal/profilewatch"
)

const usage = "usage: ward-observe --root ROOT ID\n"

func main() {
	args := os.Args[1:]
	if len(args) != 3 || args[0] != "--root" || args[1] == "" || args[2] == "" || args[2][0] == '-' {
		os.Stderr.WriteString(usage)
		os.Exit(2)
	}
	if err := profilewatch.Serve(args[1], args[2], os.NewFile(3, "report")); err != nil {
		os.Stderr.WriteString("ward-observe: " + err.Error() + "\n")
		os.Exit(1)
	}
}
