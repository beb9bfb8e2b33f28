package analyzer

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"io"
	"os"

	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/source"
)

// GoBinary reads the build information the Go linker embeds in executables:
// the main module, its dependencies, and the Go version as "stdlib"; and
// the crates `cargo auditable` embeds in Rust executables (cargo.go), in
// the same pass over the same ELF file.
type GoBinary struct{}

// maxGoBinary bounds what is spooled from an archive to read a binary.
const maxGoBinary = 512 << 20

// inMemoryBinary is the size up to which an archive's executable is read
// into memory rather than spooled to a temporary file.
var inMemoryBinary int64 = 8 << 20

func (GoBinary) Name() string { return "go-binary" }

func (GoBinary) Wants(e source.Entry) bool {
	return e.Mode&0o111 != 0 && e.Size > 1024 && e.Size < maxGoBinary
}

var elfMagic = []byte("\x7fELF")

func (GoBinary) Analyze(e source.Entry, r io.Reader) (Result, error) {
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil || !bytes.Equal(magic[:], elfMagic) {
		return Result{}, nil // a script or other non-ELF executable
	}
	var ra io.ReaderAt
	var cleanup func()
	var err error
	if _, isFile := r.(*os.File); !isFile && e.Size <= inMemoryBinary {
		// Most executables are small: reading them whole beats a temp file.
		buf := make([]byte, e.Size)
		copy(buf, magic[:])
		if _, err := io.ReadFull(r, buf[len(magic):]); err != nil {
			return Result{}, err
		}
		ra, cleanup = bytes.NewReader(buf), func() {}
	} else {
		ra, cleanup, err = readerAt(r, magic[:])
	}
	if err != nil {
		return Result{}, err
	}
	defer cleanup()
	// Go's linker always emits a .go.buildinfo section (strip keeps it);
	// checking for it first spares buildinfo.Read's scan of the data
	// segment of every C binary in a rootfs.
	ef, err := elf.NewFile(ra)
	if err != nil {
		return Result{}, nil
	}
	if s := ef.Section(".dep-v0"); s != nil {
		pkgs, err := cargoAuditable(s)
		return Result{Packages: pkgs}, err
	}
	if ef.Section(".go.buildinfo") == nil {
		return Result{}, nil
	}
	info, err := buildinfo.Read(ra)
	if err != nil {
		return Result{}, nil // an ELF binary not built by Go
	}
	var pkgs []inventory.Package
	add := func(path, version string) {
		if path != "" && version != "" {
			pkgs = append(pkgs, inventory.Package{Type: inventory.TypeGolang, Name: path, Version: version})
		}
	}
	add(info.Main.Path, info.Main.Version)
	for _, d := range info.Deps {
		if d.Replace != nil {
			d = d.Replace
		}
		add(d.Path, d.Version)
	}
	add("stdlib", info.GoVersion)
	return Result{Packages: pkgs}, nil
}

// readerAt gives random access to a file whose first bytes were already
// read: a directory's *os.File is used in place, an archive's stream is
// spooled to a temporary file so large binaries do not sit in memory.
func readerAt(r io.Reader, head []byte) (io.ReaderAt, func(), error) {
	if f, ok := r.(*os.File); ok {
		return f, func() {}, nil
	}
	tmp, err := os.CreateTemp("", "ward-gobin-*")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	if _, err := tmp.Write(head); err != nil {
		cleanup()
		return nil, nil, err
	}
	if _, err := io.Copy(tmp, io.LimitReader(r, maxGoBinary)); err != nil {
		cleanup()
		return nil, nil, err
	}
	return tmp, cleanup, nil
}
