// Package bundle loads and checks an OCI bundle's config.json, and writes
// the example spec that `ward-runtime spec` prints.
package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// SpecVersion is the ociVersion ward writes in every config.json: the
// bundles `ward run` makes and `ward-runtime spec`'s example. It is what
// Docker 20.10 and runc 1.1 write, not the runtime-spec module's newest
// (specs.Version): runtimes in the field refuse a version they do not know,
// Debian 12's crun 1.8.1 every one outside 1.0 ("unknown version
// specified"). The number is a label: each runtime reads the fields it
// knows, and a field newer than 1.0.2 means the same to a runtime that
// knows it.
const SpecVersion = "1.0.2-dev"

// ErrInvalid marks a config that cannot run as written.
var ErrInvalid = errors.New("invalid config")

// Load reads dir/config.json. Unknown fields are tolerated, as the
// runtime-spec asks; malformed JSON is an error naming the file.
func Load(dir string) (*specs.Spec, error) {
	path := filepath.Join(dir, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s does not exist", ErrInvalid, path)
		}
		return nil, err
	}
	var s specs.Spec
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: parse %s: %v", ErrInvalid, path, err)
	}
	return &s, nil
}

// RootfsPath returns the absolute path of the spec's root filesystem,
// resolved against the bundle directory when relative.
func RootfsPath(dir string, s *specs.Spec) string {
	p := s.Root.Path
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return abs
}

// IDMapSourceAnnotation prefixes the spec annotation the engine sets on
// a bind mount it made idmapped (-v SRC:DST:idmap, --userns auto): the
// key ends with the mount's destination, the value is SRC. The mount's
// own source is the engine's clone of SRC under ward's root. It lives
// here, in the package both the engine and the OCI reader import, so the
// engine does not link the audit's readers.
const IDMapSourceAnnotation = "org.wardproject.idmap.source:"
