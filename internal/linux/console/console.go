// Package console gives a container's process a terminal: a new pty from
// the container's own devpts, made the controlling terminal and stdio of
// the process, with its master end sent to the caller over a unix socket
// (SCM_RIGHTS), as runc's --console-socket does.
package console

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// OpenPty opens a new pty pair from /dev/ptmx and returns the master and
// the slave's path.
func OpenPty() (*os.File, string, error) {
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, "", fmt.Errorf("open /dev/ptmx: %w", err)
	}
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, "", fmt.Errorf("unlock pty: %w", err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		master.Close()
		return nil, "", fmt.Errorf("pty number: %w", err)
	}
	return master, "/dev/pts/" + strconv.Itoa(n), nil
}

// AttachSlave makes the pty slave at path the calling process's
// controlling terminal and its stdin, stdout and stderr, in a new session.
// uid owns the slave, so a non-root process can use its terminal; the
// group stays devpts's (tty, from the mount's gid=5), as under runc.
func AttachSlave(path string, uid int) error {
	if _, err := unix.Setsid(); err != nil {
		return fmt.Errorf("setsid: %w", err)
	}
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer unix.Close(fd)
	if err := unix.Fchown(fd, uid, -1); err != nil {
		return fmt.Errorf("chown %s: %w", path, err)
	}
	if err := unix.IoctlSetInt(fd, unix.TIOCSCTTY, 0); err != nil {
		return fmt.Errorf("set controlling terminal: %w", err)
	}
	for i := 0; i <= 2; i++ {
		if err := unix.Dup3(fd, i, 0); err != nil {
			return fmt.Errorf("dup terminal to fd %d: %w", i, err)
		}
	}
	return nil
}

// SetSize sets the terminal's window size.
func SetSize(f *os.File, height, width uint16) error {
	return unix.IoctlSetWinsize(int(f.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: height, Col: width})
}

// SendMaster sends the pty master over a connected unix socket.
func SendMaster(sock int, master *os.File) error {
	rights := unix.UnixRights(int(master.Fd()))
	if err := unix.Sendmsg(sock, []byte(master.Name()), rights, nil, 0); err != nil {
		return fmt.Errorf("send pty master to the console socket: %w", err)
	}
	return nil
}

// ReceiveMaster reads a pty master sent with SendMaster.
func ReceiveMaster(sock int) (*os.File, error) {
	buf := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := unix.Recvmsg(sock, buf, oob, 0)
	if err != nil {
		return nil, fmt.Errorf("receive pty master: %w", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return nil, fmt.Errorf("receive pty master: no descriptor in the message")
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return nil, fmt.Errorf("receive pty master: no descriptor in the message")
	}
	return os.NewFile(uintptr(fds[0]), string(buf[:n])), nil
}
