// Package manpages writes a command tree's man pages (section 1, one
// page per command, "ward-container-ls.1" as docker names its own) with
// cobra/doc. It is linked only into the generator that `make man` runs
// (the mangen build tag), never into the shipped binaries:
// without the tag the package is only AddVerb, doing nothing.
package manpages
