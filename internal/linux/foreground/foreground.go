// Package foreground keeps a container process in the foreground of the
// runtime that started it, as runc's run and exec do without --detach: a
// console socket of the runtime's own receives a terminal process's pty
// master, which is copied to and from the runtime's stdio, and the
// signals the runtime gets are passed on until the process exits.
package foreground

import (
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/linux/console"
	"github.com/wardproject/ward/internal/linux/consolesocket"
)

// Terminal is the console socket run and exec make for themselves when a
// terminal process runs in the foreground: they receive the pty master
// and copy between it and their own stdio.
type Terminal struct {
	sock   *consolesocket.Socket
	master *os.File
}

// TerminalIf makes a terminal when needed, and returns nil (whose Close
// does nothing) otherwise.
func TerminalIf(needed bool) (*Terminal, error) {
	if !needed {
		return nil, nil
	}
	sock, err := consolesocket.Listen()
	if err != nil {
		return nil, err
	}
	return &Terminal{sock: sock}, nil
}

// SocketPath is what the runtime passes on as the process's console
// socket.
func (t *Terminal) SocketPath() string { return t.sock.Path() }

// Attach receives the master, gives it the size of the runtime's own
// terminal and starts copying.
func (t *Terminal) Attach() error {
	m, err := t.sock.ReceiveMaster()
	if err != nil {
		return err
	}
	t.master = m
	if ws, err := unix.IoctlGetWinsize(int(os.Stdin.Fd()), unix.TIOCGWINSZ); err == nil {
		_ = console.SetSize(t.master, ws.Row, ws.Col)
	}
	go func() { _, _ = io.Copy(t.master, os.Stdin) }()
	go func() { _, _ = io.Copy(os.Stdout, t.master) }()
	return nil
}

// Close stops listening and closes the master.
func (t *Terminal) Close() {
	if t == nil {
		return
	}
	t.sock.Close()
	if t.master != nil {
		t.master.Close()
	}
}

// Wait waits for a process the runtime started, passing on the signals a
// terminal or supervisor sends the runtime, and returns its exit code in
// the shell's convention (128+N for signal N).
func Wait(proc *exec.Cmd) int {
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				if s == unix.SIGCHLD || s == unix.SIGURG || s == unix.SIGWINCH || s == unix.SIGPIPE {
					continue
				}
				_ = unix.Kill(proc.Process.Pid, s.(syscall.Signal))
			case <-done:
				return
			}
		}
	}()
	err := proc.Wait()
	signal.Stop(sigs)
	close(done)
	return ExitCode(proc.ProcessState, err)
}

// ExitCode is the shell's convention: the status, or 128+N for signal N;
// 255 when the process could not be waited for.
func ExitCode(ps *os.ProcessState, err error) int {
	if ps == nil {
		if err != nil {
			return 255
		}
		return 0
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}
