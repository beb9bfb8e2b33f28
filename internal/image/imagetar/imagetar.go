// Package imagetar reads image archives: what `docker save` writes
// (manifest.json, with layers at legacy <id>/layer.tar paths or, since
// Docker 25, at blobs/sha256/<hex> behind those names as symlinks) and OCI
// image layouts in a tar (oci-layout, index.json, blobs/sha256/<hex>).
//
// It is the one reader of both: `ward load` stores what it finds
// (internal/image/store), `ward sbom`, `ward scan` and `ward check` analyze
// it without storing (internal/scan/source). The tar is indexed once, on
// Open; members are then read by offset, so nothing is extracted and each
// layer is read once, by whoever needs it.
//
// Archives are hostile input. A name is only ever looked up in the index,
// never on the host; a name that climbs out of the archive ("../x") is
// not in it; links are followed a bounded number of times; a member that
// appears twice, a metadata file over MaxMetadata, a blob whose content
// does not hash to the digest that names it, or a config without one
// sha256 diff ID per layer is refused with one error line naming it.
// Layer content is checked by whoever reads it (the store, the scanner).
package imagetar

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Format says what kind of archive a tar is, judged by its members.
type Format int

const (
	// NotImage is a tar with neither manifest.json nor index.json and
	// oci-layout: a root filesystem tarball, for instance.
	NotImage Format = iota
	// DockerSave has manifest.json. Docker's own archives since 25.0 are
	// also OCI layouts; manifest.json is preferred, as docker load does.
	DockerSave
	// OCILayout has index.json and oci-layout.
	OCILayout
)

func (f Format) String() string {
	switch f {
	case DockerSave:
		return "docker-archive"
	case OCILayout:
		return "oci-archive"
	}
	return "not an image archive"
}

// MaxMetadata bounds manifest.json, index.json, manifests and configs
// read into memory.
const MaxMetadata = 16 << 20

// maxLinks bounds how many symlinks or hard links one lookup follows.
const maxLinks = 8

// Archive is an indexed image archive. Its lifecycle: Open indexes the tar
// and reads its top-level manifest (manifest.json or index.json); Image
// resolves one image of it; OpenLayer reads one layer's member by offset,
// and layers may be read side by side; Close closes the file.
type Archive struct {
	f       *os.File
	members map[string]*member
	format  Format
	docker  []saveEntry  // manifest.json, for DockerSave
	index   *ociManifest // index.json, for OCILayout
}

// member is one non-directory entry of the tar.
type member struct {
	typ       byte
	off, size int64  // where a regular file's data lies in the tar
	link      string // a link's target, as an archive name (cleaned)
	count     int    // how many entries carry this name
	sparse    bool   // data is a sparse map, not the content: not readable by offset
}

// Open indexes the tar file at name. A file that is not a tar is an
// error; a tar that is not an image archive opens with Format NotImage.
func Open(name string) (*Archive, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	a, err := New(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return a, nil
}

// New indexes the tar f, read from its start. The Archive's Close closes
// f; when New fails, f stays the caller's to close.
func New(f *os.File) (*Archive, error) {
	a := &Archive{f: f, members: map[string]*member{}}
	if err := a.indexTar(); err != nil {
		return nil, err
	}
	var err error
	switch {
	case a.members["manifest.json"] != nil:
		a.format = DockerSave
		err = a.readJSON("manifest.json", &a.docker)
	case a.members["index.json"] != nil && a.members["oci-layout"] != nil:
		a.format = OCILayout
		a.index = new(ociManifest)
		err = a.readJSON("index.json", a.index)
	case a.legacySave():
		// Not a root filesystem either: reading it as one would report
		// nothing found where nothing was looked at.
		err = errors.New("a docker-save archive from before Docker 1.10 (repositories and <id>/json, no manifest.json): load it into docker and save it again")
	}
	if err != nil {
		return nil, err
	}
	return a, nil
}

// indexTar records every non-directory entry. archive/tar reads exactly
// one header's blocks per Next and seeks over data, so the file offset
// right after Next is where that member's data starts.
func (a *Archive) indexTar() error {
	if _, err := a.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	tr := tar.NewReader(a.f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read tar: %w", err)
		}
		if hdr.Typeflag == tar.TypeDir {
			continue
		}
		name := cleanName(hdr.Name)
		if name == "" {
			// Outside the archive: no lookup can reach it.
			continue
		}
		if m := a.members[name]; m != nil {
			m.count++
			continue
		}
		m := &member{typ: hdr.Typeflag, size: hdr.Size, count: 1}
		switch hdr.Typeflag {
		case tar.TypeReg:
			if m.off, err = a.f.Seek(0, io.SeekCurrent); err != nil {
				return err
			}
			for k := range hdr.PAXRecords {
				m.sparse = m.sparse || strings.HasPrefix(k, "GNU.sparse.")
			}
		case tar.TypeSymlink:
			// Relative to the link's directory, as a file system resolves it.
			m.link = cleanName(path.Join(path.Dir(name), hdr.Linkname))
			if path.IsAbs(hdr.Linkname) {
				m.link = cleanName(hdr.Linkname)
			}
		case tar.TypeLink:
			m.link = cleanName(hdr.Linkname)
		}
		a.members[name] = m
	}
}

// legacySave tells a docker-save archive of the format before manifest.json
// (Docker 1.9 and older: repositories, then <id>/json and <id>/layer.tar
// per layer) from a root filesystem.
func (a *Archive) legacySave() bool {
	if a.members["repositories"] == nil {
		return false
	}
	for name := range a.members {
		if dir, file := path.Split(name); file == "json" && checkDigest("sha256:"+strings.TrimSuffix(dir, "/")) == nil {
			return true
		}
	}
	return false
}

// cleanName makes a tar name or link target an archive name: no leading
// "/" or "./", no "." or ".." elements. It returns "" for a name that is
// empty or climbs out of the archive.
func cleanName(name string) string {
	name = strings.TrimLeft(name, "/")
	p := path.Clean(name)
	if p == "." || p == ".." || strings.HasPrefix(p, "../") {
		return ""
	}
	return p
}

// Format says whether the tar is a docker-save archive, an OCI layout or
// neither.
func (a *Archive) Format() Format { return a.format }

// Has reports whether the archive has an entry (file or link) named name.
func (a *Archive) Has(name string) bool { return a.members[cleanName(name)] != nil }

// Close closes the archive file.
func (a *Archive) Close() error { return a.f.Close() }

// Open returns the content of the regular file the archive calls name,
// following links inside the archive.
func (a *Archive) Open(name string) (*io.SectionReader, error) {
	_, m, err := a.resolve(name)
	if err != nil {
		return nil, err
	}
	return io.NewSectionReader(a.f, m.off, m.size), nil
}

// resolve follows name through links to the one regular file it names,
// and returns that file's name and member.
func (a *Archive) resolve(name string) (string, *member, error) {
	want := cleanName(name)
	for range maxLinks {
		// Errors name what was asked for and, past a link, what it led to.
		what := shown(name)
		if want != cleanName(name) && want != "" {
			what += " -> " + shown(want)
		}
		m := a.members[want]
		if want == "" || m == nil {
			return "", nil, fmt.Errorf("%s: missing from archive", what)
		}
		if m.count > 1 {
			return "", nil, fmt.Errorf("%s: %d members of the archive have this name", what, m.count)
		}
		switch {
		case m.typ == tar.TypeSymlink || m.typ == tar.TypeLink:
			want = m.link
			continue
		case m.typ != tar.TypeReg || m.sparse:
			return "", nil, fmt.Errorf("%s: not a regular file", what)
		}
		return want, m, nil
	}
	return "", nil, fmt.Errorf("%s: too many links", shown(name))
}

// ReadSmall reads a metadata file (a manifest, an index, a config) whole.
func (a *Archive) ReadSmall(name string) ([]byte, error) {
	r, err := a.Open(name)
	if err != nil {
		return nil, err
	}
	if r.Size() > MaxMetadata {
		return nil, fmt.Errorf("%s: %d bytes is too large for metadata (at most %d)", shown(name), r.Size(), MaxMetadata)
	}
	data := make([]byte, r.Size())
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, fmt.Errorf("%s: %w", shown(name), err)
	}
	return data, nil
}

// readJSON reads the metadata file name into v.
func (a *Archive) readJSON(name string, v any) error {
	data, err := a.ReadSmall(name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// BlobPath is where an OCI layout keeps the blob with this digest.
func BlobPath(digest string) string {
	alg, hex, _ := strings.Cut(digest, ":")
	return path.Join("blobs", alg, hex)
}

// readBlob reads a metadata blob of an OCI layout and checks that its
// content hashes to digest.
func (a *Archive) readBlob(digest string) ([]byte, error) {
	name, err := blobName(digest)
	if err != nil {
		return nil, err
	}
	data, err := a.ReadSmall(name)
	if err != nil {
		return nil, err
	}
	if got := sha256Of(data); got != digest {
		return nil, fmt.Errorf("blob %s: digest mismatch: content is %s", digest, got)
	}
	return data, nil
}

// blobName is the member holding the blob with this digest. A digest
// this package cannot check names no blob: its path might lead anywhere
// in the archive.
func blobName(digest string) (string, error) {
	if checkDigest(digest) != nil {
		return "", fmt.Errorf("blob %q: missing from archive (a blob's digest is sha256:<64 hex digits>)", digest)
	}
	return BlobPath(digest), nil
}

// checkDigest accepts the digests an OCI layout names its blobs by here:
// sha256, 64 lower-case hex digits (which also keeps the blob's path
// inside blobs/sha256/).
func checkDigest(digest string) error {
	alg, h, ok := strings.Cut(digest, ":")
	if !ok || alg != "sha256" || len(h) != 64 || strings.ToLower(h) != h {
		return fmt.Errorf("digest %q: want sha256:<64 hex digits>", digest)
	}
	if _, err := hex.DecodeString(h); err != nil {
		return fmt.Errorf("digest %q: want sha256:<64 hex digits>", digest)
	}
	return nil
}

// shown is a name as an error line shows it: as it is when it prints as
// itself, quoted when it holds a newline, another control character or
// bytes that are not UTF-8, so that one error stays one line.
func shown(name string) string {
	if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return strconv.Quote(name)
	}
	return name
}

func sha256Of(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}
