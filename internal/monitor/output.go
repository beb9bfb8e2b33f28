package monitor

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/jsonlog"
)

// output is the stdout and stderr of a container without a terminal: two
// pipes, as Docker's shim gives. The container's process gets the write
// ends (through `ward container-start` and the runtime); the monitor
// keeps the read ends and appends what comes to the container's log. So
// the container never holds its log: it cannot truncate, seek in or
// rewrite what it wrote before.
//
// When the monitor dies the read ends close with it: the container's next
// write gets SIGPIPE (EPIPE when it ignores the signal) instead of
// blocking on a full pipe, as under Docker when its shim dies.
type output struct {
	log     *jsonlog.Writer
	streams [2]*jsonlog.Stream // stdout's and stderr's entries
	read    [2]*os.File        // the read ends of stdout's and stderr's pipes, polled
	write   [2]*os.File        // their write ends, blocking, for the container
	done    chan struct{}
}

// copyBuffer is the size of each pipe's copy buffer: a pipe holds 64 KiB,
// and the monitor's memory is what it lives on.
const copyBuffer = 8 << 10

// openOutput opens the container's log for appending and makes the pipes.
func openOutput(logPath string, maxSize int64, maxFiles int) (*output, error) {
	log, err := jsonlog.Open(logPath, maxSize, maxFiles)
	if err != nil {
		return nil, err
	}
	o := &output{log: log, done: make(chan struct{})}
	o.streams = [2]*jsonlog.Stream{log.Stream("stdout"), log.Stream("stderr")}
	for i := range o.read {
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
			o.close()
			return nil, err
		}
		// Non-blocking, the read end joins Go's poller (a blocked read
		// holds no thread, and a deadline can stop it); the write end
		// stays blocking, as a program expects of its stdout.
		if err := unix.SetNonblock(p[0], true); err != nil {
			unix.Close(p[0])
			unix.Close(p[1])
			o.close()
			return nil, err
		}
		o.read[i] = os.NewFile(uintptr(p[0]), "output")
		o.write[i] = os.NewFile(uintptr(p[1]), "output")
	}
	return o, nil
}

// start copies both pipes to the log until they reach end of file, in
// the background. It runs before the container starts: what the
// container writes early is read as early.
func (o *output) start() {
	copied := make(chan struct{}, len(o.read))
	for i, r := range o.read {
		go func() {
			o.copy(r, o.streams[i])
			o.streams[i].Flush()
			copied <- struct{}{}
		}()
	}
	go func() {
		for range o.read {
			<-copied
		}
		close(o.done)
	}()
}

// copy appends what r yields to the log, as entries of stream s, until
// end of file or a deadline (see finish). The write is synchronous: a
// container writing faster than the disk takes it blocks on its pipe,
// and nothing is dropped. A failed write (a full disk) loses that output
// but goes on reading: the container must not block forever.
func (o *output) copy(r *os.File, s *jsonlog.Stream) {
	buf := make([]byte, copyBuffer)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			s.Write(buf[:n])
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			o.drain(r, s, buf)
			return
		}
		if err != nil {
			return
		}
	}
}

// drain appends what r holds now, without waiting for more: the last
// output of a container whose pipe a process outside it still holds.
func (o *output) drain(r *os.File, s *jsonlog.Stream, buf []byte) {
	rc, err := r.SyscallConn()
	if err != nil {
		return
	}
	r.SetReadDeadline(time.Time{})
	rc.Read(func(fd uintptr) bool {
		for {
			n, err := unix.Read(int(fd), buf)
			if n > 0 {
				s.Write(buf[:n])
			}
			if n <= 0 || err != nil {
				return true // EAGAIN included: nothing more to wait for
			}
		}
	})
}

// closeWrite closes the monitor's copies of the write ends, once `ward
// container-start` has passed them on: from then on only the container's
// processes hold them, and the copies end when the last of those exits.
func (o *output) closeWrite() {
	for i, w := range o.write {
		if w != nil {
			w.Close()
			o.write[i] = nil
		}
	}
}

// finish waits until the copies have appended everything the container
// wrote, then closes the pipes and the log. The init's exit ends the
// other processes of its PID namespace, so the pipes normally reach end
// of file at once; a process that outlives the init (a container sharing
// the host's PID namespace) is given grace, after which what the pipes
// hold is appended and the read ends are closed: its later writes fail
// with EPIPE.
func (o *output) finish(grace time.Duration) {
	o.closeWrite()
	select {
	case <-o.done:
	case <-time.After(grace):
		for _, r := range o.read {
			r.SetReadDeadline(time.Now())
		}
		<-o.done
	}
	o.close()
}

func (o *output) close() {
	o.closeWrite()
	for i, r := range o.read {
		if r != nil {
			r.Close()
			o.read[i] = nil
		}
	}
	o.log.Close()
}
