package target

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/rootdir"
)

func TestHasRegistryHost(t *testing.T) {
	for ref, want := range map[string]bool{
		"registry.example.com/app:1": true,
		"localhost/app":              true,
		"127.0.0.1:5000/app":         true,
		"library/alpine":             false,
		"alpine":                     false,
		"Dockerfile":                 false,
	} {
		if got := HasRegistryHost(ref); got != want {
			t.Errorf("HasRegistryHost(%q) = %v, want %v", ref, got, want)
		}
	}
}

func TestCheckFrom(t *testing.T) {
	for _, ok := range []string{FromAuto, FromStore, FromRegistry} {
		if err := CheckFrom(ok); err != nil {
			t.Errorf("CheckFrom(%q): %v", ok, err)
		}
	}
	if err := CheckFrom("elsewhere"); err == nil || err.Error() != `--image-src "elsewhere": want store or registry` {
		t.Errorf("CheckFrom(elsewhere) = %v", err)
	}
}

func TestOpen(t *testing.T) {
	root := rootdir.Layout(t.TempDir())
	ctx := context.Background()

	// A directory that exists is read as a root filesystem.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello"), []byte("hi"), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := Open(ctx, root, dir, FromAuto)
	if err != nil {
		t.Fatalf("Open(directory): %v", err)
	}
	src.Close()

	// No store under root: the store alone says so, and creates none.
	_, err = Open(ctx, root, "app:1", FromStore)
	if err == nil || !errors.Is(err, errNotStored) || !strings.Contains(err.Error(), "no image store in "+root.Root()) {
		t.Errorf("Open(app:1, store) = %v", err)
	}
	if _, err := os.Stat(root.Images()); !os.IsNotExist(err) {
		t.Errorf("Open made an image store: %v", err)
	}
	// --image-src store never reads a path.
	if _, err := Open(ctx, root, dir, FromStore); err == nil {
		t.Error("Open(directory, store) read the directory")
	}
	if _, err := Open(ctx, root, dir, "elsewhere"); err == nil {
		t.Error("Open with --image-src elsewhere succeeded")
	}
	// Not a path, not stored, not a reference.
	if _, err := Open(ctx, root, "UPPER CASE", FromAuto); err == nil || !strings.Contains(err.Error(), "not an image reference") {
		t.Errorf("Open(bad name) = %v", err)
	}
}
