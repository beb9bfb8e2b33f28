package analyzer

import (
	"bufio"
	"io"
	"path"
	"regexp"
	"strings"

	"github.com/wardproject/ward/internal/scan/source"
)

// DebCopyright reads the licenses of Debian packages from
// usr/share/doc/PACKAGE/copyright, since dpkg's database records none:
// the License fields of machine-readable (DEP-5) files, and references to
// /usr/share/common-licenses in free-form ones.
type DebCopyright struct{}

func (DebCopyright) Name() string { return "deb-copyright" }

func (DebCopyright) Wants(e source.Entry) bool {
	dir, file := path.Split(e.Path)
	return file == "copyright" && path.Dir(strings.TrimSuffix(dir, "/")) == "usr/share/doc"
}

var commonLicense = regexp.MustCompile(`/usr/share/common-licenses/([A-Za-z0-9][A-Za-z0-9.+\-]*[A-Za-z0-9+])`)

// maxLicenses bounds what one copyright file contributes.
const maxLicenses = 32

func (DebCopyright) Analyze(e source.Entry, r io.Reader) (Result, error) {
	pkg := path.Base(path.Dir(e.Path))
	seen := map[string]bool{}
	var licenses []string
	add := func(l string) {
		if l != "" && !seen[l] && len(licenses) < maxLicenses {
			seen[l] = true
			licenses = append(licenses, l)
		}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "License:"); ok {
			add(strings.TrimSpace(v))
			continue
		}
		for _, m := range commonLicense.FindAllStringSubmatch(line, -1) {
			add(m[1])
		}
	}
	if len(licenses) == 0 {
		return Result{}, sc.Err()
	}
	return Result{Licenses: map[string][]string{pkg: licenses}}, sc.Err()
}
