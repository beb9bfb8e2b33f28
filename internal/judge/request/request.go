// Package request is ward's half of the judge-run protocol (see
// internal/judge): it hands the preview of a create to ward-audit and
// returns its verdict as an exit status, so that ward links no auditor.
package request

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"

	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/sibling"
)

// Judge runs `ward-audit judge-run ARGS` on p, the spec and record a
// create would make. Its refusal (or error) is already on stderr when
// Judge returns an error carrying its exit status.
func Judge(l rootdir.Layout, p *record.Preview, args []string, stdout, stderr io.Writer) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	bin, err := sibling.Find("ward-audit")
	if err != nil {
		return fmt.Errorf("--policy: %w", err)
	}
	cmd := exec.Command(bin, append([]string{"judge-run"}, args...)...)
	cmd.Env = append(os.Environ(), "WARD_ROOT="+l.Root())
	cmd.Stdin = bytes.NewReader(data)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err = cmd.Run()
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		return exitstatus.Silent(ee.ExitCode())
	}
	return err
}
