package main

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

// terminalProxy is the console socket `run` and `exec` make for themselves
// when a terminal process runs in the foreground: they receive the pty
// master and copy between it and their own stdio, as runc does.
type terminalProxy struct {
	sock   *consolesocket.Socket
	master *os.File
}

// terminalProxyIf makes a terminal proxy when needed, and returns nil
// (whose Close does nothing) otherwise.
func terminalProxyIf(needed bool) (*terminalProxy, error) {
	if !needed {
		return nil, nil
	}
	return newTerminalProxy()
}

func newTerminalProxy() (*terminalProxy, error) {
	sock, err := consolesocket.Listen()
	if err != nil {
		return nil, err
	}
	return &terminalProxy{sock: sock}, nil
}

// attach receives the master and starts copying.
func (t *terminalProxy) attach() error {
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

func (t *terminalProxy) Close() {
	if t == nil {
		return
	}
	t.sock.Close()
	if t.master != nil {
		t.master.Close()
	}
}

// waitForwarding waits for a process we started, passing on the signals a
// terminal or supervisor sends us, and returns its exit code in the
// shell's convention (128+N for signal N).
func waitForwarding(proc *exec.Cmd) int {
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
	return exitCode(proc.ProcessState, err)
}
