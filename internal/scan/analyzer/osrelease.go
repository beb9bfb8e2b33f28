package analyzer

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/source"
)

// OSRelease reads the distribution from os-release, and from the older
// /etc/debian_version and /etc/alpine-release when os-release is missing.
type OSRelease struct{}

// releaseFiles ranks the files naming a distribution: lower wins.
var releaseFiles = map[string]int{
	"etc/os-release":     0,
	"usr/lib/os-release": 1,
	"etc/alpine-release": 2,
	"etc/debian_version": 3,
}

func (OSRelease) Name() string { return "os-release" }

func (OSRelease) Wants(e source.Entry) bool {
	_, ok := releaseFiles[e.Path]
	return ok
}

func (OSRelease) Analyze(e source.Entry, r io.Reader) (Result, error) {
	rank := releaseFiles[e.Path]
	data, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if err != nil {
		return Result{}, err
	}
	var d inventory.Distro
	switch e.Path {
	case "etc/alpine-release":
		d = inventory.Distro{ID: "alpine", VersionID: strings.TrimSpace(string(data))}
	case "etc/debian_version":
		// "12.5" on a release, "trixie/sid" on testing.
		v := strings.TrimSpace(string(data))
		major, _, _ := strings.Cut(v, ".")
		if _, err := strconv.Atoi(major); err != nil {
			major = ""
		}
		d = inventory.Distro{ID: "debian", VersionID: major}
	default:
		d = parseOSRelease(string(data))
	}
	if d.ID == "" {
		return Result{}, nil
	}
	return Result{Distro: &d, Rank: rank}, nil
}

// parseOSRelease reads the shell-like KEY=value lines of os-release(5).
func parseOSRelease(s string) inventory.Distro {
	var d inventory.Distro
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		if uq, err := strconv.Unquote(v); err == nil {
			v = uq
		} else {
			v = strings.Trim(v, `'"`)
		}
		switch k {
		case "ID":
			d.ID = v
		case "VERSION_ID":
			d.VersionID = v
		case "VERSION_CODENAME":
			d.Codename = v
		case "PRETTY_NAME":
			d.PrettyName = v
		}
	}
	return d
}
