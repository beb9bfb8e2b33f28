package analyzer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// sqliteTable reads the rows of one table of an SQLite 3 database file
// (sqlite.org/fileformat2.html): enough of the format to read rpm's
// rpmdb.sqlite without a SQL engine. It reads the main file only; pages
// still in a write-ahead log are not seen (rpm checkpoints on close).
type sqliteFile struct {
	r        io.ReaderAt
	pageSize int
	usable   int
	pages    int64
	// visited and budget keep a hostile file from making the walk loop or
	// read far more than its own size (pages shared between rows).
	visited map[uint32]bool
	budget  int64
}

const maxSQLiteDepth = 32 // bounds b-tree recursion on a corrupt or hostile file

func openSQLite(r io.ReaderAt, size int64) (*sqliteFile, error) {
	hdr := make([]byte, 100)
	if _, err := r.ReadAt(hdr, 0); err != nil {
		return nil, fmt.Errorf("read sqlite header: %w", err)
	}
	if !bytes.HasPrefix(hdr, []byte("SQLite format 3\x00")) {
		return nil, errors.New("not an SQLite 3 database")
	}
	ps := int(binary.BigEndian.Uint16(hdr[16:18]))
	if ps == 1 {
		ps = 65536
	}
	if ps < 512 || ps&(ps-1) != 0 {
		return nil, fmt.Errorf("sqlite page size %d is invalid", ps)
	}
	usable := ps - int(hdr[20])
	if usable < 480 {
		return nil, fmt.Errorf("sqlite usable page size %d is invalid", usable)
	}
	return &sqliteFile{r: r, pageSize: ps, usable: usable, pages: size / int64(ps), visited: map[uint32]bool{}, budget: 2*size + 1<<20}, nil
}

func (f *sqliteFile) page(n uint32) ([]byte, error) {
	if n == 0 || int64(n) > f.pages {
		return nil, fmt.Errorf("sqlite page %d out of range", n)
	}
	if f.budget -= int64(f.pageSize); f.budget < 0 {
		return nil, errors.New("sqlite file reads more pages than it holds")
	}
	b := make([]byte, f.pageSize)
	if _, err := f.r.ReadAt(b, int64(n-1)*int64(f.pageSize)); err != nil {
		return nil, fmt.Errorf("read sqlite page %d: %w", n, err)
	}
	return b, nil
}

// tableRoot finds the root page of table name in sqlite_master.
func (f *sqliteFile) tableRoot(name string) (uint32, error) {
	var root uint32
	err := f.walkTable(1, 0, func(rec []any) error {
		if len(rec) >= 4 && rec[0] == "table" && rec[1] == name {
			if n, ok := rec[3].(int64); ok {
				root = uint32(n)
			}
		}
		return nil
	})
	if err == nil && root == 0 {
		err = fmt.Errorf("sqlite table %s not found", name)
	}
	return root, err
}

// walkTable calls fn with the decoded columns of every row of the table
// b-tree rooted at page n.
func (f *sqliteFile) walkTable(n uint32, depth int, fn func([]any) error) error {
	if depth > maxSQLiteDepth {
		return errors.New("sqlite b-tree too deep")
	}
	if f.visited[n] {
		return fmt.Errorf("sqlite page %d is referenced twice", n)
	}
	f.visited[n] = true
	p, err := f.page(n)
	if err != nil {
		return err
	}
	h := 0
	if n == 1 {
		h = 100 // page 1 starts with the file header
	}
	if len(p) < h+12 {
		return errors.New("sqlite page too short")
	}
	kind, cells := p[h], int(binary.BigEndian.Uint16(p[h+3:h+5]))
	hdrLen := 8
	if kind == 0x05 {
		hdrLen = 12
	}
	ptrs := h + hdrLen
	if ptrs+2*cells > len(p) {
		return errors.New("sqlite cell pointers past page end")
	}
	for i := range cells {
		off := int(binary.BigEndian.Uint16(p[ptrs+2*i:]))
		if off >= len(p) {
			return errors.New("sqlite cell past page end")
		}
		switch kind {
		case 0x05: // interior table page: child pointer, rowid
			if off+4 > len(p) {
				return errors.New("sqlite cell past page end")
			}
			if err := f.walkTable(binary.BigEndian.Uint32(p[off:]), depth+1, fn); err != nil {
				return err
			}
		case 0x0d: // leaf table page: payload size, rowid, payload
			payload, err := f.leafPayload(p, off)
			if err != nil {
				return err
			}
			rec, err := decodeRecord(payload)
			if err != nil {
				return err
			}
			if err := fn(rec); err != nil {
				return err
			}
		default:
			return fmt.Errorf("sqlite page %d has type %#x, want a table page", n, kind)
		}
	}
	if kind == 0x05 {
		return f.walkTable(binary.BigEndian.Uint32(p[h+8:]), depth+1, fn)
	}
	return nil
}

// maxSQLitePayload bounds one row (an rpm header is well below it).
const maxSQLitePayload = 64 << 20

func (f *sqliteFile) leafPayload(p []byte, off int) ([]byte, error) {
	size, n := sqliteVarint(p[off:])
	if n == 0 || size > maxSQLitePayload {
		return nil, errors.New("sqlite payload size invalid")
	}
	off += n
	if _, n = sqliteVarint(p[off:]); n == 0 { // rowid
		return nil, errors.New("sqlite rowid invalid")
	}
	off += n
	u, total := int64(f.usable), int64(size)
	x := u - 35
	local := total
	if total > x {
		m := ((u-12)*32/255 - 23)
		k := m + (total-m)%(u-4)
		local = m
		if k <= x {
			local = k
		}
	}
	if off+int(local) > len(p) {
		return nil, errors.New("sqlite payload past page end")
	}
	out := make([]byte, 0, total)
	out = append(out, p[off:off+int(local)]...)
	if local == total {
		return out, nil
	}
	if off+int(local)+4 > len(p) {
		return nil, errors.New("sqlite overflow pointer past page end")
	}
	next := binary.BigEndian.Uint32(p[off+int(local):])
	for pages := 0; int64(len(out)) < total; pages++ {
		if pages > int(f.pages) {
			return nil, errors.New("sqlite overflow chain loops")
		}
		op, err := f.page(next)
		if err != nil {
			return nil, err
		}
		next = binary.BigEndian.Uint32(op)
		chunk := op[4:f.usable]
		if rest := total - int64(len(out)); int64(len(chunk)) > rest {
			chunk = chunk[:rest]
		}
		out = append(out, chunk...)
	}
	return out, nil
}

// decodeRecord decodes SQLite's record format into int64, float64 (as
// bits), string, []byte or nil values.
func decodeRecord(b []byte) ([]any, error) {
	hsize, n := sqliteVarint(b)
	if n == 0 || hsize > uint64(len(b)) {
		return nil, errors.New("sqlite record header invalid")
	}
	var types []uint64
	for pos := n; pos < int(hsize); {
		t, m := sqliteVarint(b[pos:])
		if m == 0 {
			return nil, errors.New("sqlite serial type invalid")
		}
		types = append(types, t)
		pos += m
	}
	data := b[hsize:]
	var out []any
	for _, t := range types {
		var size int
		switch {
		case t == 0, t == 8, t == 9:
			size = 0
		case t <= 4:
			size = int(t)
		case t == 5:
			size = 6
		case t == 6, t == 7:
			size = 8
		case t >= 12:
			size = int((t - 12) / 2)
		default:
			return nil, fmt.Errorf("sqlite serial type %d reserved", t)
		}
		if size > len(data) {
			return nil, errors.New("sqlite record value past end")
		}
		v := data[:size]
		data = data[size:]
		switch {
		case t == 0:
			out = append(out, nil)
		case t == 8:
			out = append(out, int64(0))
		case t == 9:
			out = append(out, int64(1))
		case t <= 6:
			var x int64
			for _, c := range v {
				x = x<<8 | int64(c)
			}
			if len(v) > 0 && v[0]&0x80 != 0 { // sign-extend
				x -= 1 << (8 * uint(len(v)))
			}
			out = append(out, x)
		case t == 7:
			out = append(out, binary.BigEndian.Uint64(v))
		case t%2 == 0:
			out = append(out, v)
		default:
			out = append(out, string(v))
		}
	}
	return out, nil
}

// sqliteVarint decodes a big-endian SQLite varint; n is 0 when truncated.
func sqliteVarint(b []byte) (v uint64, n int) {
	for i := 0; i < 9; i++ {
		if i >= len(b) {
			return 0, 0
		}
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return v, 9
}
