package managers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// commandTimeout bounds every manager command, so a runtime that hangs
// fails its step instead of the whole test binary.
const commandTimeout = 60 * time.Second

// result is what one manager command printed.
type result struct {
	stdout, stderr string
	err            error
}

// errTimeout marks a manager command that ran out of time.
var errTimeout = errors.New("timed out")

// run runs a manager command with stdin from /dev/null and a timeout.
func run(env []string, argv ...string) result {
	return runInput(env, "", argv...)
}

// runInput runs a manager command with input as its stdin and a timeout.
func runInput(env []string, input string, argv ...string) result {
	return runStdin(env, func(cmd *exec.Cmd) {
		if input != "" {
			cmd.Stdin = strings.NewReader(input)
		}
	}, argv...)
}

// runOpenStdin runs a command whose stdin is a pipe that stays open, and
// silent, until the command exits.
func runOpenStdin(argv ...string) result {
	return runStdin(nil, func(cmd *exec.Cmd) { cmd.StdinPipe() }, argv...)
}

func runStdin(env []string, setStdin func(*exec.Cmd), argv ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	setStdin(cmd)
	cmd.WaitDelay = 5 * time.Second
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s: %w after %s", strings.Join(argv, " "), errTimeout, commandTimeout)
	} else if err != nil {
		err = fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, strings.TrimSpace(errOut.String()))
	}
	return result{stdout: out.String(), stderr: errOut.String(), err: err}
}

// waitFor polls check until it returns true or the timeout passes.
func waitFor(timeout time.Duration, check func() bool) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if check() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return check()
}
