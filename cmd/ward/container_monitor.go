package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/engine"
)

// The monitor protocol: `ward container-monitor ID` runs detached (its
// own session, stdio on files), with fd 3 the write end of a pipe whose
// read end the starting ward holds:
//
//	starting ward                     monitor
//	  fork+exec (setsid) ------------>  subreaper, runtime create + start
//	  read fd 3 <---------------------  "started\n"      or "error CODE MSG\n"
//	  print ID, exit                    wait for the init, record its exit,
//	                                    runtime delete, remove when --rm
//
// EOF without a line means the monitor died: exit 125.

// startMonitor starts a detached monitor of container id and waits until
// it reports the container started or failed.
func startMonitor(id string) error {
	self, err := os.Executable()
	if err != nil {
		return &engine.ExitError{Code: 125, Err: err}
	}
	r, w, err := os.Pipe()
	if err != nil {
		return &engine.ExitError{Code: 125, Err: err}
	}
	defer r.Close()
	logPath := filepath.Join(wardRoot(), "containers", id, "monitor.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		w.Close()
		return &engine.ExitError{Code: 125, Err: err}
	}
	defer logf.Close()
	cmd := exec.Command(self, "--root", wardRoot(), "container-monitor", id)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Dir = "/"
	err = cmd.Start()
	w.Close()
	if err != nil {
		return &engine.ExitError{Code: 125, Err: fmt.Errorf("start monitor of %s: %w", id, err)}
	}
	cmd.Process.Release()
	line, _ := bufio.NewReader(r).ReadString('\n')
	line = strings.TrimSuffix(line, "\n")
	switch {
	case line == "started":
		return nil
	case strings.HasPrefix(line, "error "):
		codeStr, msg, _ := strings.Cut(strings.TrimPrefix(line, "error "), " ")
		code, _ := strconv.Atoi(codeStr)
		if code == 0 {
			code = 125
		}
		return &engine.ExitError{Code: code, Err: errors.New(msg)}
	}
	return &engine.ExitError{Code: 125, Err: fmt.Errorf("the monitor of container %s exited before it started (see %s)", id, logPath)}
}

func newMonitorCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "container-monitor ID",
		Short:  "Supervise a detached container (internal)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			report := os.NewFile(3, "report")
			fail := func(err error) error {
				code := 125
				var ee *engine.ExitError
				if errors.As(err, &ee) {
					code = ee.Code
				}
				fmt.Fprintf(report, "error %d %s\n", code, strings.ReplaceAll(err.Error(), "\n", " "))
				return err
			}
			e, c, err := openContainer(args[0])
			if err != nil {
				return fail(err)
			}
			if err := engine.SetSubreaper(); err != nil {
				return fail(err)
			}
			logf, err := os.OpenFile(c.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
			if err != nil {
				return fail(err)
			}
			defer logf.Close()
			null, err := os.Open(os.DevNull)
			if err != nil {
				return fail(err)
			}
			defer null.Close()
			_, err = e.Supervise(context.Background(), c.ID, engine.Stdio{Stdin: null, Stdout: logf, Stderr: logf}, func(int) {
				fmt.Fprintln(report, "started")
				report.Close()
			})
			if err != nil {
				return fail(err)
			}
			return nil
		},
	}
}
