package engine

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"

	"github.com/wardproject/ward/internal/record"
)

// Top runs ps(1) on the host with psArgs (docker top's default "-ef")
// and keeps the header and the lines of the container's processes, as
// Docker's daemon does: the titles, then each process's fields, the last
// (the command) with its spaces.
func (e *Engine) Top(ctx context.Context, c *record.Container, psArgs []string) ([]string, [][]string, error) {
	if c.State.Status != record.StatusRunning {
		return nil, nil, fmt.Errorf("%w: container %s is not running", record.ErrConflict, c.ShortName())
	}
	pids, err := e.Runtime.Ps(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	if len(psArgs) == 0 {
		psArgs = []string{"-ef"}
	}
	out, err := exec.CommandContext(ctx, "ps", psArgs...).Output()
	if err != nil {
		return nil, nil, fmt.Errorf("ps %s: %w", strings.Join(psArgs, " "), err)
	}
	return ParsePs(string(out), pids)
}

// ParsePs keeps the lines of ps output whose PID column is one of pids.
func ParsePs(out string, pids []int) ([]string, [][]string, error) {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	titles := strings.Fields(lines[0])
	col := slices.Index(titles, "PID")
	if col < 0 {
		return nil, nil, fmt.Errorf("ps output has no PID column (give ps options that print one)")
	}
	var procs [][]string
	for _, line := range lines[1:] {
		fields := strings.Fields(line)
		if len(fields) <= col {
			continue
		}
		pid, err := strconv.Atoi(fields[col])
		if err != nil || !slices.Contains(pids, pid) {
			continue
		}
		if len(fields) > len(titles) {
			// The command keeps its spaces: everything from the last title on.
			fields = append(fields[:len(titles)-1], strings.Join(fields[len(titles)-1:], " "))
		}
		procs = append(procs, fields)
	}
	return titles, procs, nil
}
