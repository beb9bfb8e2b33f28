package engine

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/wardproject/ward/internal/cp"
	"github.com/wardproject/ward/internal/record"
)

// Export is `ward export`: c's root filesystem (volumes not included)
// as a tar archive, written to the file output through a temporary file
// renamed into place (a failed export leaves no archive), or to stdout
// when output is empty. name is how the user named c.
func (e *Engine) Export(c *record.Container, name, output string, stdout io.Writer) error {
	rootfs, err := e.Snapshots.Mount(c.ID)
	if err != nil {
		return err
	}
	root, err := cp.OpenRoot(rootfs)
	if err != nil {
		return err
	}
	defer root.Close()
	w := stdout
	var tmp *os.File
	if output != "" {
		if tmp, err = os.CreateTemp(filepath.Dir(output), ".ward-export-*"); err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		w = tmp
	}
	if err := cp.Archive(root, "/", w, cp.ArchiveOptions{FollowSource: true}); err != nil {
		if tmp != nil {
			tmp.Close()
		}
		return fmt.Errorf("export %s: %w", name, err)
	}
	if tmp != nil {
		if err := tmp.Close(); err != nil {
			return err
		}
		return os.Rename(tmp.Name(), output)
	}
	return nil
}
