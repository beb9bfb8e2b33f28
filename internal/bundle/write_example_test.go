package bundle

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteExample(t *testing.T) {
	dir := t.TempDir()
	if WantsTerminal(dir) {
		t.Error("WantsTerminal of a directory without config.json")
	}
	if err := WriteExample(dir, false); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "{\n\t\"ociVersion\": ") || !strings.HasSuffix(string(data), "}\n") {
		t.Errorf("config.json is not runc spec's layout: %.60q", data)
	}
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !WantsTerminal(dir) || !s.Process.Terminal {
		t.Error("the example's shell has no terminal")
	}
	err = WriteExample(dir, false)
	if want := filepath.Join(dir, "config.json") + " exists: remove it first"; err == nil || err.Error() != want {
		t.Errorf("WriteExample over an existing config.json: %v, want %q", err, want)
	}

	rootless := t.TempDir()
	if err := WriteExample(rootless, true); err != nil {
		t.Fatal(err)
	}
	r, err := Load(rootless)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Linux.UIDMappings) != 1 || r.Linux.UIDMappings[0].HostID != uint32(os.Geteuid()) {
		t.Errorf("rootless example maps %+v, want the caller's uid", r.Linux.UIDMappings)
	}
}
