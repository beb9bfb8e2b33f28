package container

import (
	"github.com/wardproject/ward/internal/bundle"
	"github.com/wardproject/ward/internal/linux/foreground"
)

// Run is runc's run: Create and Start, then, unless detach, wait for the
// init while passing on the caller's signals, and Delete the container
// unless keep. A terminal container without a console socket of the
// caller's gets the runtime's own, copied to and from its stdio. It
// returns the init's status in the shell's convention (0 when detached).
func Run(o CreateOptions, detach, keep bool) (int, error) {
	term, err := foreground.TerminalIf(!detach && o.ConsoleSocket == "" && bundle.WantsTerminal(o.Bundle))
	if err != nil {
		return 0, err
	}
	defer term.Close()
	if term != nil {
		o.ConsoleSocket, o.AllowNoConsole = term.SocketPath(), true
	}
	_, proc, err := Create(o)
	if err != nil {
		return 0, err
	}
	if term != nil {
		if err := term.Attach(); err != nil {
			_ = Delete(o.Root, o.ID, true)
			return 0, err
		}
	}
	if err := Start(o.Root, o.ID); err != nil {
		_ = Delete(o.Root, o.ID, true)
		return 0, err
	}
	if detach {
		return 0, nil
	}
	code := foreground.Wait(proc)
	if !keep {
		if err := Delete(o.Root, o.ID, true); err != nil {
			return 0, err
		}
	}
	return code, nil
}

// ExecAndWait is runc's exec: Exec, then, unless detach, wait for the
// process while passing on the caller's signals. A terminal process
// without a console socket of the caller's gets the runtime's own. It
// returns the process's status in the shell's convention (0 when
// detached).
func ExecAndWait(o ExecOptions, detach bool) (int, error) {
	term, err := foreground.TerminalIf(o.Process.Terminal && o.ConsoleSocket == "" && !detach)
	if err != nil {
		return 0, err
	}
	defer term.Close()
	if term != nil {
		o.ConsoleSocket = term.SocketPath()
	}
	proc, err := Exec(o)
	if err != nil {
		return 0, err
	}
	if detach {
		return 0, nil
	}
	if term != nil {
		if err := term.Attach(); err != nil {
			return 0, err
		}
	}
	return foreground.Wait(proc), nil
}
