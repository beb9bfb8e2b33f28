package analyzer

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/source"
)

// Dpkg reads Debian's package database: var/lib/dpkg/status, and the
// status.d/ directory distroless images carry instead (one file per
// package, usually without a Status field).
type Dpkg struct{}

const (
	dpkgStatus  = "var/lib/dpkg/status"
	dpkgStatusD = "var/lib/dpkg/status.d"
)

func (Dpkg) Name() string { return "dpkg" }

func (Dpkg) Wants(e source.Entry) bool {
	if e.Path == dpkgStatus {
		return true
	}
	// status.d holds NAME and NAME.md5sums; only the former is a stanza.
	return under(e.Path, dpkgStatusD) && !strings.HasSuffix(e.Path, ".md5sums")
}

func (Dpkg) Analyze(e source.Entry, r io.Reader) (Result, error) {
	pkgs, err := parseDpkgStatus(r)
	return Result{Packages: pkgs}, err
}

// parseDpkgStatus reads deb822 stanzas. A stanza whose Status says the
// package is gone (not-installed, config-files) is skipped; one without a
// Status field counts as installed, as in distroless images.
func parseDpkgStatus(r io.Reader) ([]inventory.Package, error) {
	var pkgs []inventory.Package
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	fields := map[string]string{}
	flush := func() {
		defer clear(fields)
		name, version := fields["Package"], fields["Version"]
		if name == "" || version == "" {
			return
		}
		if st := strings.Fields(fields["Status"]); len(st) == 3 && (st[2] == "not-installed" || st[2] == "config-files") {
			return
		}
		p := inventory.Package{Type: inventory.TypeDeb, Name: name, Version: version, Arch: fields["Architecture"]}
		// "Source: glibc" or "Source: glibc (2.36-9)" when versions differ.
		if src := fields["Source"]; src != "" {
			sname, sver, _ := strings.Cut(src, " ")
			sver = strings.Trim(strings.TrimSpace(sver), "()")
			if sname != name {
				p.SourceName = sname
			}
			if sver != "" && sver != version {
				p.SourceName, p.SourceVersion = sname, sver
			}
		}
		pkgs = append(pkgs, p)
	}
	var key string
	for sc.Scan() {
		line := sc.Bytes()
		switch {
		case len(bytes.TrimSpace(line)) == 0:
			flush()
			key = ""
		case line[0] == ' ' || line[0] == '\t':
			// continuation of a multi-line field (Description, Conffiles)
		default:
			k, v, ok := bytes.Cut(line, []byte(":"))
			if !ok {
				return nil, fmt.Errorf("malformed line %q", line)
			}
			key = string(k)
			switch key {
			case "Package", "Version", "Architecture", "Source", "Status":
				fields[key] = string(bytes.TrimSpace(v))
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	flush()
	return pkgs, nil
}
