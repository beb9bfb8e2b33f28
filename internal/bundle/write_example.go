package bundle

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// WriteExample writes the example spec (Example, made rootless when asked)
// as dir/config.json, as `runc spec` does: tab-indented, and never over an
// existing file.
func WriteExample(dir string, rootless bool) error {
	path := filepath.Join(dir, "config.json")
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s exists: remove it first", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	s := Example()
	if rootless {
		MakeRootless(s)
	}
	data, err := json.MarshalIndent(s, "", "\t")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o666)
}

// WantsTerminal reports whether the bundle in dir asks for a terminal;
// false when its config.json cannot be read (creating it will say why).
func WantsTerminal(dir string) bool {
	s, err := Load(dir)
	return err == nil && s.Process != nil && s.Process.Terminal
}
