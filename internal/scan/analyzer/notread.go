package analyzer

import (
	"io"
	"path"
	"strings"

	"github.com/wardproject/ward/internal/scan/source"
)

// NotRead claims the files of package ecosystems no other analyzer reads,
// so that a report names them as gaps instead of passing over them: a
// scan that found no advisory for packages it never listed is not clean.
// An ecosystem leaves this table when an analyzer for it joins All.
type NotRead struct{}

func (NotRead) Name() string { return "not-read" }

// notReadFiles maps a file's base name to its ecosystem.
var notReadFiles = map[string]string{
	"Cargo.lock":         "cargo",
	"Gemfile.lock":       "gem",
	"packages.lock.json": "nuget",
	"Pipfile.lock":       "pypi",
	"poetry.lock":        "pypi",
	"mix.lock":           "hex",
	"pubspec.lock":       "pub",
	"Package.resolved":   "swift",
	"conan.lock":         "conan",
}

// notReadPaths are package databases at fixed places.
var notReadPaths = map[string]string{
	"var/lib/pacman/local/ALPM_DB_VERSION": "pacman (Arch Linux)",
	"lib/apk/db/installed.tmp":             "apk",
	"var/lib/portage/world":                "portage (Gentoo)",
}

// notReadSuffixes are path endings of an ecosystem's packages.
var notReadSuffixes = []struct{ suffix, ecosystem string }{
	{".deps.json", "nuget"},
	{".nupkg", "nuget"},
	{".egg", "pypi"},
	{".whl", "pypi"},
}

func (NotRead) Wants(e source.Entry) bool { return notReadEcosystem(e.Path) != "" }

func notReadEcosystem(p string) string {
	if eco := notReadPaths[p]; eco != "" {
		return eco
	}
	base := path.Base(p)
	if eco := notReadFiles[base]; eco != "" {
		return eco
	}
	for _, s := range notReadSuffixes {
		if strings.HasSuffix(p, s.suffix) {
			return s.ecosystem
		}
	}
	return ""
}

func (NotRead) Analyze(e source.Entry, _ io.Reader) (Result, error) {
	return Result{Unsupported: notReadEcosystem(e.Path)}, nil
}
