package analyzer

import (
	"bufio"
	"io"
	"strings"

	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/source"
)

// APK reads Alpine's package database, lib/apk/db/installed.
type APK struct{}

func (APK) Name() string { return "apk" }

func (APK) Wants(e source.Entry) bool { return e.Path == "lib/apk/db/installed" }

func (APK) Analyze(e source.Entry, r io.Reader) (Result, error) {
	var pkgs []inventory.Package
	var p inventory.Package
	flush := func() {
		if p.Name != "" && p.Version != "" {
			p.Type = inventory.TypeAPK
			if p.SourceName == p.Name {
				p.SourceName = ""
			}
			pkgs = append(pkgs, p)
		}
		p = inventory.Package{}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			flush()
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch k {
		case "P":
			p.Name = v
		case "V":
			p.Version = v
		case "A":
			p.Arch = v
		case "o":
			p.SourceName = v // origin: the aport the package was built from
		case "L":
			if v != "" {
				p.Licenses = []string{v}
			}
		}
	}
	flush()
	return Result{Packages: pkgs}, sc.Err()
}
