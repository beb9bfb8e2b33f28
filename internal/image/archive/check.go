package archive

import (
	"archive/tar"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Name limits of Linux: a path the kernel would refuse at the first run is
// refused when the layer comes in.
const (
	maxPathLen = 4095 // PATH_MAX less the NUL
	maxNameLen = 255  // NAME_MAX
)

// checkHeader refuses what no directory could hold, whatever came before
// in the layer: the rules Apply and Check share, so that a layer accepted
// at load is not refused by them at the first run.
func checkHeader(hdr *tar.Header, opts Options) (rel string, err error) {
	rel, err = relPath(hdr.Name)
	if err != nil {
		return "", err
	}
	if len(rel) > maxPathLen {
		return "", fmt.Errorf("path of %d bytes is longer than the %d Linux allows", len(rel), maxPathLen)
	}
	for _, c := range strings.Split(rel, "/") {
		if len(c) > maxNameLen {
			return "", fmt.Errorf("name of %d bytes is longer than the %d Linux allows", len(c), maxNameLen)
		}
	}
	if rel == "." && hdr.Typeflag != tar.TypeDir {
		return "", fmt.Errorf("the layer root must be a directory")
	}
	base := filepath.Base(rel)
	if rel != "." && strings.HasPrefix(base, WhiteoutPrefix) && base != WhiteoutOpaque && !strings.HasPrefix(base, whiteoutMeta) {
		name := strings.TrimPrefix(base, WhiteoutPrefix)
		if name == "" || name == "." || name == ".." {
			return "", fmt.Errorf("invalid whiteout name: %w", ErrEscape)
		}
	}
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse:
		if hdr.Size < 0 || hdr.Size > opts.MaxBytes {
			return "", fmt.Errorf("file of %d bytes exceeds the layer limit of %d bytes", hdr.Size, opts.MaxBytes)
		}
	case tar.TypeChar, tar.TypeBlock:
		if !opts.AllowDevices {
			return "", fmt.Errorf("device node refused (devices not allowed in layers)")
		}
	case tar.TypeDir, tar.TypeSymlink, tar.TypeLink, tar.TypeFifo, tar.TypeXGlobalHeader:
	default:
		return "", fmt.Errorf("unsupported tar entry type %q", hdr.Typeflag)
	}
	if hdr.Typeflag == tar.TypeLink {
		if strings.ContainsRune(hdr.Linkname, 0) {
			return "", fmt.Errorf("hard link target: NUL in path")
		}
	}
	return rel, nil
}

// Check reads a whole layer tar as Apply would, without writing anything,
// and refuses what Apply would refuse whatever the directory: names that
// climb out or that Linux cannot hold, hard links to what is not in the
// layer, bad whiteouts, unsupported entries, sizes beyond the limits, and a
// stream that ends early. It is run when a layer comes into the store
// (load, import, pull), so a hostile or corrupt layer is never stored. It
// reads r to its end and returns the number of bytes read.
//
// What depends on symlinks (where a name really lands) is left to Apply,
// which resolves every path inside the layer: Check accepts a hard link
// whose target passes through a symlink of the layer.
func Check(r io.Reader, opts Options) (int64, error) {
	if opts.MaxBytes == 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.MaxEntries == 0 {
		opts.MaxEntries = DefaultMaxEntries
	}
	cr := &countingReader{r: r}
	tr := tar.NewReader(cr)
	var (
		entries int
		bytes   int64
		files   = map[string]bool{} // names seen, true for directories
		links   = map[string]bool{} // symlinks seen
	)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return cr.n, fmt.Errorf("reading layer tar: %w", err)
		}
		entries++
		if entries > opts.MaxEntries {
			return cr.n, fmt.Errorf("layer has more than %d entries", opts.MaxEntries)
		}
		rel, err := checkHeader(hdr, opts)
		if err == nil {
			err = checkParents(rel, files, links)
		}
		// A whiteout is a whiteout whatever its type: Apply reads only its name.
		if err == nil && hdr.Typeflag == tar.TypeLink && !strings.HasPrefix(filepath.Base(rel), WhiteoutPrefix) {
			err = checkLinkTarget(hdr.Linkname, files, links)
		}
		if err == nil && hdr.Size > opts.MaxBytes-bytes {
			err = fmt.Errorf("file of %d bytes exceeds the layer limit of %d bytes", hdr.Size, opts.MaxBytes)
		}
		if err != nil {
			return cr.n, fmt.Errorf("layer entry %q: %w", hdr.Name, err)
		}
		switch hdr.Typeflag {
		case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse:
			bytes += hdr.Size
			if n, err := io.Copy(io.Discard, tr); err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return cr.n, fmt.Errorf("layer entry %q: file data (%d of %d bytes): %w", hdr.Name, n, hdr.Size, err)
			}
		case tar.TypeXGlobalHeader:
			continue
		}
		// A hard link to a symlink is that symlink (linkat does not
		// follow), the link to itself included: read before rel's own
		// entry is replaced.
		linksToSymlink := false
		if hdr.Typeflag == tar.TypeLink {
			if target, err := relPath(hdr.Linkname); err == nil && links[target] {
				linksToSymlink = true
			}
		}
		files[rel] = hdr.Typeflag == tar.TypeDir
		delete(links, rel)
		if b := filepath.Base(rel); strings.HasPrefix(b, WhiteoutPrefix) && b != WhiteoutOpaque && !strings.HasPrefix(b, whiteoutMeta) {
			// Apply makes the whiteout a 0/0 device under the plain name.
			hidden := filepath.Join(filepath.Dir(rel), strings.TrimPrefix(b, WhiteoutPrefix))
			files[hidden] = false
			delete(links, hidden)
		}
		if hdr.Typeflag == tar.TypeSymlink {
			links[rel] = true
		}
		if linksToSymlink {
			links[rel] = true
		}
	}
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return cr.n, fmt.Errorf("reading layer: %w", err)
	}
	if cr.n == 0 {
		return 0, fmt.Errorf("empty input: not a tar archive")
	}
	return cr.n, nil
}

// checkParents refuses an entry below a name the layer made a file, fifo
// or device (not a directory, not a symlink Apply would resolve).
// Parents are walked from the top: once a path goes through a symlink,
// what the layer recorded below that name earlier is no longer on it.
func checkParents(rel string, files, links map[string]bool) error {
	var parents []string
	for p := filepath.Dir(rel); p != "."; p = filepath.Dir(p) {
		parents = append(parents, p)
	}
	for i := len(parents) - 1; i >= 0; i-- {
		p := parents[i]
		if links[p] {
			return nil
		}
		if isDir, ok := files[p]; ok && !isDir {
			return fmt.Errorf("parent %s is not a directory", p)
		}
	}
	return nil
}

// checkLinkTarget accepts a hard link to a non-directory met earlier in the
// layer, or one whose path passes through a symlink of the layer (Apply
// resolves it inside the layer).
func checkLinkTarget(name string, files, links map[string]bool) error {
	rel, err := relPath(name)
	if err != nil {
		return fmt.Errorf("hard link target %q: %w", name, err)
	}
	if rel == "." {
		return fmt.Errorf("hard link to the layer root")
	}
	if isDir, ok := files[rel]; ok {
		if isDir {
			return fmt.Errorf("hard link target %q is a directory", name)
		}
		return nil
	}
	for p := filepath.Dir(rel); p != "."; p = filepath.Dir(p) {
		if links[p] {
			return nil
		}
	}
	return fmt.Errorf("hard link target %q is not in the layer", name)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
