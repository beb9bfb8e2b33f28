// Package idrange hands out the host uid and gid ranges that containers
// run with `--userns auto` are mapped to.
//
// Vocabulary and lifecycle: ward owns one subordinate range in each of
// /etc/subuid and /etc/subgid, the line of the user "ward" (EnsurePool
// adds it when missing: after every other entry, with room for 1,000
// containers of 65,536 ids). Allocate gives a container a slice of that
// pool, the same offset in both files, first fit; the allocation is
// recorded in a bbolt database under ward's root in the same transaction
// that checked it was free, and bbolt's file lock makes concurrent ward
// processes take turns, so two containers never share ids. Release frees
// a container's slice at rm; Reclaim frees the slices of containers that
// no longer exist (a crash between allocation and record).
package idrange

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Owner is the name of ward's lines in /etc/subuid and /etc/subgid.
const Owner = "ward"

// DefaultSize is the ids one container gets without size=N: Podman's
// and the kernel's usual 65,536, enough for any uid an image holds below
// nobody (65534).
const DefaultSize = 65536

// PoolRanges is how many default-sized ranges a pool ward adds holds.
const PoolRanges = 1000

// minPoolStart keeps ward's pool clear of the ids people and packages
// use, even on a host whose subordinate files are empty.
const minPoolStart = 1 << 20

// maxID is the last usable id: (uid_t)-1 means "no id" to the kernel.
const maxID = 1<<32 - 2

// Entry is one line of /etc/subuid or /etc/subgid.
type Entry struct {
	Name         string
	Start, Count uint64
}

// End is the first id after the entry.
func (e Entry) End() uint64 { return e.Start + e.Count }

// ParseSubID reads the lines of a subordinate id file. Blank lines and
// comments are skipped; a malformed line is an error naming it.
func ParseSubID(path string, data []byte) ([]Entry, error) {
	var out []Entry
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) != 3 {
			return nil, fmt.Errorf("%s line %d: want NAME:START:COUNT, got %q", path, n, line)
		}
		start, err1 := strconv.ParseUint(f[1], 10, 32)
		count, err2 := strconv.ParseUint(f[2], 10, 32)
		if err1 != nil || err2 != nil || count == 0 {
			return nil, fmt.Errorf("%s line %d: bad range %q", path, n, line)
		}
		out = append(out, Entry{Name: f[0], Start: start, Count: count})
	}
	return out, sc.Err()
}

// Files are the subordinate id files ward reads and, once, extends.
type Files struct {
	SubUID, SubGID string
}

// HostFiles are the system's.
var HostFiles = Files{SubUID: "/etc/subuid", SubGID: "/etc/subgid"}

// Pool is ward's range in each file.
type Pool struct {
	UID, GID Entry
}

// Size is how many ids a container can get from the pool at most: the
// smaller of the two ranges, since a container gets the same offset in
// both.
func (p Pool) Size() uint64 { return min(p.UID.Count, p.GID.Count) }

// EnsurePool returns ward's entries in both files, adding the missing
// ones (added says which file got a line, for the one notice ward
// prints). A new entry starts after the last id any entry of either file
// uses (at least 2^20, on a multiple of 65,536) and holds PoolRanges
// default ranges. Callers serialize EnsurePool (the allocator does it
// under its database lock).
func EnsurePool(f Files) (p Pool, added []string, err error) {
	p, missing, err := peekPool(f)
	if err != nil {
		return p, nil, err
	}
	for _, path := range missing {
		e := p.UID
		if path == f.SubGID {
			e = p.GID
		}
		if e.Start+e.Count-1 > maxID {
			return p, added, fmt.Errorf("no room for a %s range of %d ids in %s: its entries reach %d", Owner, e.Count, path, e.Start)
		}
		if err := appendEntry(path, e); err != nil {
			return p, added, err
		}
		added = append(added, path)
	}
	return p, added, nil
}

// peekPool is the pool EnsurePool returns and the files it would have to
// extend, changing nothing.
func peekPool(f Files) (Pool, []string, error) {
	uids, err := readEntries(f.SubUID)
	if err != nil {
		return Pool{}, nil, err
	}
	gids, err := readEntries(f.SubGID)
	if err != nil {
		return Pool{}, nil, err
	}
	uid, uok := find(uids)
	gid, gok := find(gids)
	if uok && gok {
		return Pool{UID: uid, GID: gid}, nil, nil
	}
	start := uint64(minPoolStart)
	for _, e := range append(append([]Entry(nil), uids...), gids...) {
		start = max(start, e.End())
	}
	start = (start + DefaultSize - 1) / DefaultSize * DefaultSize
	e := Entry{Name: Owner, Start: start, Count: PoolRanges * DefaultSize}
	var missing []string
	if !uok {
		uid, missing = e, append(missing, f.SubUID)
	}
	if !gok {
		gid, missing = e, append(missing, f.SubGID)
	}
	return Pool{UID: uid, GID: gid}, missing, nil
}

func readEntries(path string) ([]Entry, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseSubID(path, data)
}

// find returns ward's first entry.
func find(es []Entry) (Entry, bool) {
	for _, e := range es {
		if e.Name == Owner {
			return e, true
		}
	}
	return Entry{}, false
}

// appendEntry adds a line to a subordinate id file, replacing the file
// atomically (a new file renamed over it, with the old one's mode), so a
// reader never sees half a line.
func appendEntry(path string, e Entry) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	if len(old) > 0 && old[len(old)-1] != '\n' {
		old = append(old, '\n')
	}
	data := fmt.Appendf(old, "%s:%d:%d\n", e.Name, e.Start, e.Count)
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".ward-")
	if err != nil {
		return fmt.Errorf("adding %s's range to %s: %w", Owner, path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("adding %s's range to %s: %w", Owner, path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("adding %s's range to %s: %w", Owner, path, err)
	}
	return nil
}
