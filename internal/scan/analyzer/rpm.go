package analyzer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/source"
)

// RPM reads the SQLite rpm database of current distributions (Fedora 33+,
// RHEL/Rocky/Alma 9, openSUSE): rpmdb.sqlite, table Packages, one rpm
// header blob per row. The older Berkeley DB and the NDB formats are read
// by RPMBerkeley and RPMNDB (rpmlegacy.go) into the same packages.
type RPM struct{}

func (RPM) Name() string { return "rpm" }

func (RPM) Wants(e source.Entry) bool {
	return e.Path == "var/lib/rpm/rpmdb.sqlite" || e.Path == "usr/lib/sysimage/rpm/rpmdb.sqlite"
}

// maxRPMDB bounds the database spooled from an archive.
const maxRPMDB = 1 << 30

func (RPM) Analyze(e source.Entry, r io.Reader) (Result, error) {
	var ra io.ReaderAt
	size := e.Size
	if f, ok := r.(*os.File); ok {
		ra = f
	} else {
		if size > maxRPMDB {
			return Result{}, fmt.Errorf("rpm database of %d bytes is too large", size)
		}
		spooled, cleanup, err := readerAt(io.LimitReader(r, maxRPMDB), nil)
		if err != nil {
			return Result{}, err
		}
		defer cleanup()
		ra = spooled
	}
	db, err := openSQLite(ra, size)
	if err != nil {
		return Result{}, err
	}
	root, err := db.tableRoot("Packages")
	if err != nil {
		return Result{}, err
	}
	var pkgs []inventory.Package
	err = db.walkTable(root, 0, func(rec []any) error {
		if len(rec) < 2 {
			return nil
		}
		blob, ok := rec[1].([]byte)
		if !ok {
			return nil
		}
		p, err := parseRPMHeader(blob)
		if err != nil {
			return err
		}
		// gpg-pubkey rows are imported signing keys, not software.
		if p.Name != "" && p.Name != "gpg-pubkey" {
			pkgs = append(pkgs, p)
		}
		return nil
	})
	return Result{Packages: pkgs}, err
}

// rpm header tags and types (rpm's lib/rpmtag.h).
const (
	rpmTagName      = 1000
	rpmTagVersion   = 1001
	rpmTagRelease   = 1002
	rpmTagEpoch     = 1003
	rpmTagLicense   = 1014
	rpmTagArch      = 1022
	rpmTagSourceRPM = 1044

	rpmTypeInt32  = 4
	rpmTypeString = 6
	rpmTypeI18N   = 9
)

// parseRPMHeader reads the fields ward needs from a header blob as rpmdb
// stores it: index length, data length, index entries, data store.
func parseRPMHeader(b []byte) (inventory.Package, error) {
	if len(b) < 8 {
		return inventory.Package{}, errors.New("rpm header too short")
	}
	il, dl := binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:])
	if il > 1<<16 || uint64(8+16*uint64(il)+uint64(dl)) > uint64(len(b)) {
		return inventory.Package{}, fmt.Errorf("rpm header sizes %d/%d exceed blob of %d bytes", il, dl, len(b))
	}
	data := b[8+16*il : 8+16*il+dl]
	strs := map[uint32]string{}
	epoch := -1
	for i := uint32(0); i < il; i++ {
		e := b[8+16*i:]
		tag, typ, off := binary.BigEndian.Uint32(e), binary.BigEndian.Uint32(e[4:]), binary.BigEndian.Uint32(e[8:])
		if off >= uint32(len(data)) {
			continue
		}
		switch {
		case (typ == rpmTypeString || typ == rpmTypeI18N) && tag >= rpmTagName && tag <= rpmTagSourceRPM:
			s := data[off:]
			if j := indexByte(s, 0); j >= 0 {
				strs[tag] = string(s[:j])
			}
		case typ == rpmTypeInt32 && tag == rpmTagEpoch && off+4 <= uint32(len(data)):
			epoch = int(binary.BigEndian.Uint32(data[off:]))
		}
	}
	p := inventory.Package{Type: inventory.TypeRPM, Name: strs[rpmTagName], Arch: strs[rpmTagArch]}
	p.Version = strs[rpmTagVersion] + "-" + strs[rpmTagRelease]
	if epoch >= 0 {
		p.Version = fmt.Sprintf("%d:%s", epoch, p.Version)
	}
	if l := strs[rpmTagLicense]; l != "" {
		p.Licenses = []string{l}
	}
	if name, ver := splitSourceRPM(strs[rpmTagSourceRPM]); name != "" && name != p.Name {
		p.SourceName = name
		if ver != strs[rpmTagVersion]+"-"+strs[rpmTagRelease] {
			p.SourceVersion = ver
		}
	}
	return p, nil
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// splitSourceRPM turns "glibc-2.34-60.el9.src.rpm" into glibc, 2.34-60.el9.
func splitSourceRPM(s string) (name, version string) {
	s = strings.TrimSuffix(strings.TrimSuffix(s, ".rpm"), ".src")
	if s == "" {
		return "", ""
	}
	i := strings.LastIndex(s, "-")
	if i <= 0 {
		return "", ""
	}
	j := strings.LastIndex(s[:i], "-")
	if j <= 0 {
		return "", ""
	}
	return s[:j], s[j+1:]
}
