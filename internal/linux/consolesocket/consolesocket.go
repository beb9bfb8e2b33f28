// Package consolesocket is the one --console-socket listener of ward's
// processes. It links no fmt (nor reflection): ward-monitor, which lives
// as long as its container, uses it.
package consolesocket

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// Socket is the one --console-socket listener of ward's processes (the
// engine, ward-monitor, ward-runtime run/exec in the foreground): it
// receives the terminal a runtime creates for a process whose spec sets
// terminal, sent as SCM_RIGHTS by SendMaster. Plain syscalls rather than
// package net: ward-monitor, which uses it, stays small.
type Socket struct {
	path string
	mu   sync.Mutex
	fd   int // -1 once closed
}

// Listen listens on a new socket in a fresh temporary directory.
func Listen() (*Socket, error) {
	// A socket path must fit in 108 bytes: a temporary directory, not
	// somewhere under a deep ward root.
	dir, err := os.MkdirTemp("", "ward-console-")
	if err != nil {
		return nil, wrap("console socket", err)
	}
	path := filepath.Join(dir, "console.sock")
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err == nil {
		if err = unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err == nil {
			err = unix.Listen(fd, 1)
		}
		if err != nil {
			unix.Close(fd)
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, wrap("console socket "+path, err)
	}
	return &Socket{path: path, fd: fd}, nil
}

// Path is what to pass to a runtime as --console-socket.
func (c *Socket) Path() string { return c.path }

// ReceiveMaster waits for the runtime to connect and returns the pty
// master it sends. Close makes a waiting call return an error.
func (c *Socket) ReceiveMaster() (*os.File, error) {
	c.mu.Lock()
	fd := c.fd
	c.mu.Unlock()
	if fd < 0 {
		return nil, errors.New("console socket " + c.path + ": closed")
	}
	conn, _, err := unix.Accept4(fd, unix.SOCK_CLOEXEC)
	for err == unix.EINTR {
		conn, _, err = unix.Accept4(fd, unix.SOCK_CLOEXEC)
	}
	if err != nil {
		return nil, wrap("console socket "+c.path+": accept", err)
	}
	defer unix.Close(conn)
	name := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := unix.Recvmsg(conn, name, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil {
		return nil, wrap("console socket "+c.path+": receive", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return nil, errors.New("console socket " + c.path + ": want one control message, got " + strconv.Itoa(len(msgs)))
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return nil, errors.New("console socket " + c.path + ": want one file descriptor, got " + strconv.Itoa(len(fds)))
	}
	return os.NewFile(uintptr(fds[0]), string(name[:n])), nil
}

// Close stops listening, wakes a waiting ReceiveMaster and removes the
// socket's directory.
func (c *Socket) Close() error {
	c.mu.Lock()
	fd := c.fd
	c.fd = -1
	c.mu.Unlock()
	var err error
	if fd >= 0 {
		unix.Shutdown(fd, unix.SHUT_RDWR) // wakes a blocked accept
		err = unix.Close(fd)
	}
	os.RemoveAll(filepath.Dir(c.path))
	return err
}

// wrapped is an error with what failed in front, as fmt's %w makes it.
type wrapped struct {
	what string
	err  error
}

func (w *wrapped) Error() string { return w.what + ": " + w.err.Error() }
func (w *wrapped) Unwrap() error { return w.err }

func wrap(what string, err error) error { return &wrapped{what, err} }
