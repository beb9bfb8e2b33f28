package archive

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// blockSize is the unit in which zeros are skipped instead of written: a
// filesystem allocates whole blocks, so a block of zeros left as a hole
// reads back the same and costs nothing. Go's tar reader hands sparse
// entries (GNU and PAX formats) over as their full logical contents, so
// finding the zeros again is how a 10 KB sparse layer entry stays 10 KB on
// disk instead of becoming the gigabytes it claims.
const blockSize = 4096

var zeroBlock [blockSize]byte

// spaceGuard refuses a layer whose really written blocks would take more
// than the space that was free on the layer's filesystem when unpacking
// began, keeping a reserve so that ward never fills the disk itself.
type spaceGuard struct {
	limit int64 // -1: unknown, no limit
	used  int64
}

// reserveFraction of the filesystem is kept free (up to reserveMax).
const (
	reserveFraction = 100
	reserveMax      = 256 << 20
)

func newSpaceGuard(fd int) *spaceGuard {
	var st unix.Statfs_t
	if err := unix.Fstatfs(fd, &st); err != nil || st.Blocks == 0 {
		return &spaceGuard{limit: -1}
	}
	free := int64(st.Bavail) * st.Bsize
	reserve := min(int64(st.Blocks)*st.Bsize/reserveFraction, reserveMax)
	return &spaceGuard{limit: max(free-reserve, 0)}
}

// ErrNoSpace is returned when a layer would not fit in the free space.
var ErrNoSpace = errors.New("layer does not fit in the free space")

func (g *spaceGuard) take(n int64) error {
	if g.limit < 0 {
		return nil
	}
	g.used += (n + blockSize - 1) / blockSize * blockSize
	if g.used > g.limit {
		return fmt.Errorf("%w: its files need more than the %d bytes free on the layer store's filesystem", ErrNoSpace, g.limit)
	}
	return nil
}

// createFile creates name beneath dirFD, never through a symlink and
// never over an existing entry (EEXIST then).
func createFile(dirFD int, name string) (*os.File, error) {
	fd, err := unix.Openat(dirFD, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), name), nil
}

// writeFile writes size bytes of r to f, leaving blocks of zeros as holes.
func (a *applier) writeFile(f *os.File, r io.Reader, size int64) error {
	n, err := a.copySparse(f, r, size)
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("file data (%d of %d bytes): %w", n, size, err)
	}
	return nil
}

func (a *applier) copySparse(f *os.File, r io.Reader, size int64) (int64, error) {
	if a.buf == nil {
		a.buf = make([]byte, 256<<10)
	}
	var done int64
	hole := false // the file ends in a hole, so its size is set by truncation
	for done < size {
		chunk := a.buf[:min(int64(len(a.buf)), size-done)]
		if _, err := io.ReadFull(r, chunk); err != nil {
			return done, err
		}
		// Write each run of data blocks in one call, seek over each run of
		// zero blocks.
		for off := 0; off < len(chunk); {
			end := off
			zero := isZero(chunk[off:min(off+blockSize, len(chunk))])
			for end < len(chunk) && isZero(chunk[end:min(end+blockSize, len(chunk))]) == zero {
				end = min(end+blockSize, len(chunk))
			}
			if zero {
				if _, err := f.Seek(int64(end-off), io.SeekCurrent); err != nil {
					return done, err
				}
			} else {
				if err := a.space.take(int64(end - off)); err != nil {
					return done, err
				}
				if _, err := f.Write(chunk[off:end]); err != nil {
					return done, err
				}
			}
			hole = zero
			done += int64(end - off)
			off = end
		}
	}
	if hole {
		if err := f.Truncate(size); err != nil {
			return done, err
		}
	}
	return done, nil
}

func isZero(b []byte) bool { return bytes.Equal(b, zeroBlock[:len(b)]) }
