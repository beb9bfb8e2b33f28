package ociruntime

import (
	"fmt"
	"net"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// ConsoleSocket receives the terminal a runtime creates for a process
// whose spec sets terminal: the runtime connects to the socket passed as
// --console-socket and sends the pty master as SCM_RIGHTS.
type ConsoleSocket struct {
	path string
	l    *net.UnixListener
}

// NewConsoleSocket listens on a new socket in a fresh temporary directory.
func NewConsoleSocket() (*ConsoleSocket, error) {
	dir, err := os.MkdirTemp("", "ward-console-")
	if err != nil {
		return nil, fmt.Errorf("console socket: %w", err)
	}
	path := filepath.Join(dir, "console.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("console socket %s: %w", path, err)
	}
	return &ConsoleSocket{path: path, l: l}, nil
}

// Path is what to pass as CreateOpts.ConsoleSocket or ExecOpts.ConsoleSocket.
func (c *ConsoleSocket) Path() string { return c.path }

// ReceiveMaster waits for the runtime to connect and returns the pty
// master it sends.
func (c *ConsoleSocket) ReceiveMaster() (*os.File, error) {
	conn, err := c.l.AcceptUnix()
	if err != nil {
		return nil, fmt.Errorf("console socket %s: accept: %w", c.path, err)
	}
	defer conn.Close()
	name := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := conn.ReadMsgUnix(name, oob)
	if err != nil {
		return nil, fmt.Errorf("console socket %s: receive: %w", c.path, err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return nil, fmt.Errorf("console socket %s: want one control message, got %d: %v", c.path, len(msgs), err)
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return nil, fmt.Errorf("console socket %s: want one file descriptor, got %d: %v", c.path, len(fds), err)
	}
	return os.NewFile(uintptr(fds[0]), string(name[:n])), nil
}

// Close stops listening and removes the socket's directory.
func (c *ConsoleSocket) Close() error {
	err := c.l.Close()
	os.RemoveAll(filepath.Dir(c.path))
	return err
}
