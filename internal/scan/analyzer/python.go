package analyzer

import (
	"bufio"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/source"
)

// Python reads the metadata every installed Python distribution leaves
// beside its code (core metadata, packaging.python.org): NAME.dist-info/
// METADATA from pip and wheels, NAME.egg-info/PKG-INFO or a NAME.egg-info
// file from setuptools and Debian's python3-* packages.
type Python struct{}

func (Python) Name() string { return "python" }

// maxPythonMetadata bounds one METADATA file (the long description is in it).
const maxPythonMetadata = 8 << 20

func (Python) Wants(e source.Entry) bool {
	dir, base := path.Split(e.Path)
	dir = strings.TrimSuffix(dir, "/")
	switch {
	case base == "METADATA":
		return strings.HasSuffix(dir, ".dist-info")
	case base == "PKG-INFO":
		return strings.HasSuffix(dir, ".egg-info")
	}
	// A distutils install writes the metadata as a file named NAME.egg-info.
	return strings.HasSuffix(base, ".egg-info") && strings.Contains(dir, "-packages")
}

func (Python) Analyze(e source.Entry, r io.Reader) (Result, error) {
	name, version, licenses, err := parsePythonMetadata(io.LimitReader(r, maxPythonMetadata))
	if err != nil {
		return Result{}, err
	}
	p := inventory.Package{Type: inventory.TypePyPI, Name: name, Version: version, Licenses: licenses}
	return Result{Packages: []inventory.Package{p}}, nil
}

// parsePythonMetadata reads the RFC 822 header block of core metadata:
// Name, Version, License and License-Expression.
func parsePythonMetadata(r io.Reader) (name, version string, licenses []string, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			break // the body (the long description) follows
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue // a continuation line
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.ToLower(k) {
		case "name":
			name = v
		case "version":
			version = v
		case "license-expression":
			licenses = append([]string{v}, licenses...)
		case "license":
			if v != "" && v != "UNKNOWN" && len(licenses) == 0 && !strings.Contains(v, "\n") && len(v) < 100 {
				licenses = append(licenses, v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return "", "", nil, err
	}
	if name == "" || version == "" {
		return "", "", nil, errors.New("python metadata names no distribution or no version")
	}
	return name, version, licenses, nil
}
