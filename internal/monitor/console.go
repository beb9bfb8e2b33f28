package monitor

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// consoleSocket is the --console-socket through which the runtime sends
// a terminal container's pty master, received by the monitor, which
// copies the container's output for as long as it runs. (Plain syscalls,
// as ociruntime.ConsoleSocket, without that package's dependencies.)
type consoleSocket struct {
	dir, path string
	fd        int
}

func listenConsole() (*consoleSocket, error) {
	// A socket path must fit in 108 bytes: not under a deep ward root.
	dir, err := os.MkdirTemp("", "ward-console-")
	if err != nil {
		return nil, err
	}
	c := &consoleSocket{dir: dir, path: filepath.Join(dir, "sock"), fd: -1}
	if c.fd, err = unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0); err == nil {
		if err = unix.Bind(c.fd, &unix.SockaddrUnix{Name: c.path}); err == nil {
			err = unix.Listen(c.fd, 1)
		}
	}
	if err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// receive returns the master the runtime sends, or nil when the socket
// is closed first (the container failed to start) or the message is not
// one descriptor.
func (c *consoleSocket) receive() *os.File {
	conn, _, err := unix.Accept4(c.fd, unix.SOCK_CLOEXEC)
	for err == unix.EINTR {
		conn, _, err = unix.Accept4(c.fd, unix.SOCK_CLOEXEC)
	}
	if err != nil {
		return nil
	}
	defer unix.Close(conn)
	name := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := unix.Recvmsg(conn, name, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil {
		return nil
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return nil
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return nil
	}
	return os.NewFile(uintptr(fds[0]), string(name[:n]))
}

func (c *consoleSocket) close() {
	if c.fd >= 0 {
		unix.Shutdown(c.fd, unix.SHUT_RDWR) // wakes a blocked accept
		unix.Close(c.fd)
		c.fd = -1
	}
	os.RemoveAll(c.dir)
}
