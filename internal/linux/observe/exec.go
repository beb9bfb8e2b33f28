package observe

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ExecWatch records the files executed on one file system: fanotify's
// FAN_OPEN_EXEC on the whole superblock (FAN_MARK_FILESYSTEM). A
// superblock mark sees the container's executions although they go
// through the copy of the mount in the container's mount namespace,
// which a mount mark on ward's copy would not.
type ExecWatch struct {
	f    *os.File
	root string
	mu   sync.Mutex
	seen map[string]bool
	done chan struct{}
}

// WatchExecs starts recording the executions on the file system of
// rootfs (a container's root, mounted). Paths are reported as the
// container sees them: relative to rootfs.
func WatchExecs(rootfs string) (*ExecWatch, error) {
	fd, err := unix.FanotifyInit(unix.FAN_CLASS_NOTIF|unix.FAN_CLOEXEC|unix.FAN_NONBLOCK, unix.O_RDONLY|unix.O_LARGEFILE|unix.O_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("learning which written files are executed needs fanotify: %w", err)
	}
	if err := unix.FanotifyMark(fd, unix.FAN_MARK_ADD|unix.FAN_MARK_FILESYSTEM, unix.FAN_OPEN_EXEC, unix.AT_FDCWD, rootfs); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("learning which written files are executed needs fanotify's FAN_OPEN_EXEC on %s: %w", rootfs, err)
	}
	w := &ExecWatch{f: os.NewFile(uintptr(fd), "fanotify"), root: filepath.Clean(rootfs), seen: map[string]bool{}, done: make(chan struct{})}
	go w.read()
	return w, nil
}

func (w *ExecWatch) read() {
	defer close(w.done)
	buf := make([]byte, 64*1024)
	meta := int(unsafe.Sizeof(unix.FanotifyEventMetadata{}))
	for {
		n, err := w.f.Read(buf)
		if err != nil {
			return // closed
		}
		for off := 0; off+meta <= n; {
			ev := (*unix.FanotifyEventMetadata)(unsafe.Pointer(&buf[off]))
			if ev.Event_len < uint32(meta) {
				break
			}
			if ev.Fd >= 0 {
				if p, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(ev.Fd))); err == nil {
					w.record(p)
				}
				unix.Close(int(ev.Fd))
			}
			off += int(ev.Event_len)
		}
	}
}

// record keeps p as the container names it: an execution through the
// container's mount namespace reads as a path from its root (that mount
// is unreachable from ward's root); one through ward's own copy of the
// mount carries the rootfs prefix.
func (w *ExecWatch) record(p string) {
	if rel, ok := strings.CutPrefix(p, w.root+"/"); ok {
		p = "/" + rel
	}
	w.mu.Lock()
	w.seen[p] = true
	w.mu.Unlock()
}

// Close reads the events still queued, stops the watch and returns the
// paths executed.
func (w *ExecWatch) Close() ([]string, error) {
	// A deadline ends the read once the queue is empty; queued events
	// are read first.
	if w.f.SetReadDeadline(time.Now().Add(100*time.Millisecond)) == nil {
		<-w.done
	}
	err := w.f.Close()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for p := range w.seen {
		out = append(out, p)
	}
	if errors.Is(err, os.ErrClosed) {
		err = nil
	}
	return out, err
}
