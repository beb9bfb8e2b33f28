package analyzer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/knqyf263/go-rpmdb/pkg/bdb"

	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/source"
)

// RPMBerkeley reads the Berkeley DB rpm database of older distributions
// (CentOS 7 and 8, RHEL and UBI 8, Amazon Linux 2): var/lib/rpm/Packages,
// a hash database whose values are rpm headers. The Berkeley DB pages are
// read by go-rpmdb's pure-Go reader (trivy's); the headers by the same
// parser as the SQLite database's, so both formats give the same packages.
type RPMBerkeley struct{}

func (RPMBerkeley) Name() string { return "rpm-bdb" }

func (RPMBerkeley) Wants(e source.Entry) bool {
	return e.Path == "var/lib/rpm/Packages" || e.Path == "usr/lib/sysimage/rpm/Packages"
}

func (RPMBerkeley) Analyze(e source.Entry, r io.Reader) (Result, error) {
	if e.Size > maxRPMDB {
		return Result{}, fmt.Errorf("rpm database of %d bytes is too large", e.Size)
	}
	ra, cleanup, err := readerAt(r, nil)
	if err != nil {
		return Result{}, err
	}
	defer cleanup()
	f, ok := ra.(*os.File)
	if !ok {
		return Result{}, errors.New("rpm database is not a file")
	}
	db, err := bdb.Open(f.Name()) // go-rpmdb reads by path
	if err != nil {
		return Result{}, fmt.Errorf("berkeley db: %w", err)
	}
	var pkgs []inventory.Package
	var firstErr error
	for entry := range db.Read() { // drained to the end: the reader is a goroutine
		if firstErr != nil {
			continue
		}
		if entry.Err != nil {
			firstErr = fmt.Errorf("berkeley db: %w", entry.Err)
			continue
		}
		p, err := parseRPMHeader(entry.Value)
		if err != nil {
			firstErr = err
			continue
		}
		if p.Name != "" && p.Name != "gpg-pubkey" {
			pkgs = append(pkgs, p)
		}
	}
	return Result{Packages: pkgs}, firstErr
}

// RPMNDB reads rpm's own "ndb" database (SUSE Linux Enterprise 15 and
// openSUSE, rpm 4.16+): Packages.db, a 32-byte header, slot pages, then
// blobs holding rpm headers. The format is rpm's lib/backend/ndb/rpmpkg.c;
// read here over io.ReaderAt, every offset checked against the file.
type RPMNDB struct{}

func (RPMNDB) Name() string { return "rpm-ndb" }

func (RPMNDB) Wants(e source.Entry) bool {
	return e.Path == "var/lib/rpm/Packages.db" || e.Path == "usr/lib/sysimage/rpm/Packages.db"
}

// NDB layout constants (rpmpkg.c).
const (
	ndbHeaderMagic = 'R' | 'p'<<8 | 'm'<<16 | 'P'<<24
	ndbSlotMagic   = 'S' | 'l'<<8 | 'o'<<16 | 't'<<24
	ndbBlobMagic   = 'B' | 'l'<<8 | 'b'<<16 | 'S'<<24
	ndbPageSize    = 4096
	ndbSlotSize    = 16 // magic, package index, block offset, block count
	ndbBlockSize   = 16 // blob offsets count 16-byte blocks
	ndbMaxPages    = 2048
)

func (RPMNDB) Analyze(e source.Entry, r io.Reader) (Result, error) {
	if e.Size > maxRPMDB {
		return Result{}, fmt.Errorf("rpm database of %d bytes is too large", e.Size)
	}
	ra, cleanup, err := readerAt(r, nil)
	if err != nil {
		return Result{}, err
	}
	defer cleanup()
	pkgs, err := readNDB(ra, e.Size)
	return Result{Packages: pkgs}, err
}

func readNDB(ra io.ReaderAt, size int64) ([]inventory.Package, error) {
	var hdr [32]byte
	if _, err := ra.ReadAt(hdr[:], 0); err != nil {
		return nil, fmt.Errorf("ndb header: %w", err)
	}
	le := binary.LittleEndian
	magic, version, pages := le.Uint32(hdr[0:]), le.Uint32(hdr[4:]), le.Uint32(hdr[12:])
	if magic != ndbHeaderMagic || version != 0 {
		return nil, errors.New("not an rpm ndb database (bad magic or version)")
	}
	if pages == 0 || pages > ndbMaxPages || int64(pages)*ndbPageSize > size {
		return nil, fmt.Errorf("ndb: %d slot pages do not fit a file of %d bytes", pages, size)
	}
	slots := make([]byte, int64(pages)*ndbPageSize)
	if _, err := ra.ReadAt(slots, 0); err != nil {
		return nil, fmt.Errorf("ndb slot pages: %w", err)
	}
	var pkgs []inventory.Package
	// The first two slots' worth of bytes are the header.
	for off := 2 * ndbSlotSize; off+ndbSlotSize <= len(slots); off += ndbSlotSize {
		s := slots[off:]
		if le.Uint32(s) != ndbSlotMagic {
			return nil, fmt.Errorf("ndb: bad slot magic at offset %d", off)
		}
		index, block := le.Uint32(s[4:]), int64(le.Uint32(s[8:]))
		if index == 0 {
			continue // a free slot
		}
		var bh [16]byte
		at := block * ndbBlockSize
		if at+16 > size {
			return nil, fmt.Errorf("ndb: package %d blob at %d is past the end", index, at)
		}
		if _, err := ra.ReadAt(bh[:], at); err != nil {
			return nil, fmt.Errorf("ndb: package %d: %w", index, err)
		}
		blen := int64(le.Uint32(bh[12:]))
		if le.Uint32(bh[:]) != ndbBlobMagic || le.Uint32(bh[4:]) != index || at+16+blen > size {
			return nil, fmt.Errorf("ndb: package %d: bad blob header", index)
		}
		blob := make([]byte, blen)
		if _, err := ra.ReadAt(blob, at+16); err != nil {
			return nil, fmt.Errorf("ndb: package %d: %w", index, err)
		}
		p, err := parseRPMHeader(blob)
		if err != nil {
			return nil, fmt.Errorf("ndb: package %d: %w", index, err)
		}
		if p.Name != "" && p.Name != "gpg-pubkey" {
			pkgs = append(pkgs, p)
		}
	}
	return pkgs, nil
}
