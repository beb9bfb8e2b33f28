// Package pstable prints `ward-runtime ps`'s table as runc does: the
// host's ps, run with the caller's options, kept to its header and the
// lines of a container's processes.
package pstable

import (
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
)

// Write runs ps with psArgs (default -ef) and writes to w its header and
// the lines whose PID column is one of pids.
func Write(w io.Writer, pids []int, psArgs []string) error {
	if len(psArgs) == 0 {
		psArgs = []string{"-ef"}
	}
	out, err := exec.Command("ps", psArgs...).Output()
	if err != nil {
		return fmt.Errorf("run ps %s: %w", strings.Join(psArgs, " "), err)
	}
	return filter(w, string(out), pids, psArgs)
}

// filter keeps ps's header and the lines of pids.
func filter(w io.Writer, out string, pids []int, psArgs []string) error {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	col := -1
	for i, h := range strings.Fields(lines[0]) {
		if h == "PID" {
			col = i
		}
	}
	if col < 0 {
		return fmt.Errorf("ps %s printed no PID column", strings.Join(psArgs, " "))
	}
	want := map[string]bool{}
	for _, p := range pids {
		want[strconv.Itoa(p)] = true
	}
	fmt.Fprintln(w, lines[0])
	for _, l := range lines[1:] {
		if f := strings.Fields(l); len(f) > col && want[f[col]] {
			fmt.Fprintln(w, l)
		}
	}
	return nil
}
