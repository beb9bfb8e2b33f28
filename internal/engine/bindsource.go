package engine

import (
	"errors"
	"fmt"
	"os"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ErrBindSource is a bind mount whose host path does not exist.
var ErrBindSource = errors.New(`invalid mount config for type "bind": bind source path does not exist`)

// checkBindSources refuses, before anything is made, a bind mount of the
// spec whose source is missing on the host. Docker 20.10 creates a
// missing -v source as an empty root-owned directory; ward does not make
// host paths on a container's behalf (a typo would silently become an
// empty mount), so the run fails with 125 naming the path, as Docker's own
// --mount does.
func checkBindSources(spec *specs.Spec) error {
	for _, m := range spec.Mounts {
		if m.Type != "bind" && !slices.Contains(m.Options, "bind") && !slices.Contains(m.Options, "rbind") {
			continue
		}
		if _, err := os.Stat(m.Source); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%w: %s (ward does not create it)", ErrBindSource, m.Source)
		}
	}
	return nil
}
