// Package e2e runs real containers as root with ward-runtime, and with
// runc beside it as the reference: the same bundle must show the process
// the same world under both.
package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/testutil"
)

// wardRuntime is the binary under test, built once by TestMain.
var wardRuntime string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ward-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	wardRuntime, err = testutil.BuildBinary(dir, "ward-runtime")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	engineBins.Remove()
	os.RemoveAll(dir)
	os.Exit(code)
}

// oci is one runtime binary with a state root of its own.
type oci struct {
	name string
	bin  string
	root string
}

func newWard(t testing.TB) *oci {
	return &oci{name: "ward-runtime", bin: wardRuntime, root: t.TempDir()}
}

func newRunc(t testing.TB) *oci {
	p, err := exec.LookPath("runc")
	if err != nil {
		t.Skip("skipped: runc is not installed (apt-get install runc; CI installs it)")
	}
	return &oci{name: "runc", bin: p, root: t.TempDir()}
}

// result is what one runtime invocation did.
type result struct {
	stdout, stderr string
	code           int
}

func (r *oci) command(args ...string) *exec.Cmd {
	return exec.Command(r.bin, append([]string{"--root", r.root}, args...)...)
}

// cmd runs the runtime with its --root and the given arguments. Output
// goes through files, not pipes: a container left running (create, run
// --detach) keeps its stdio open, and a pipe would never reach EOF.
func (r *oci) cmd(args ...string) result {
	c := r.command(args...)
	out, err1 := os.CreateTemp("", "ward-e2e-out-")
	errf, err2 := os.CreateTemp("", "ward-e2e-err-")
	if err1 != nil || err2 != nil {
		return result{code: -1, stderr: fmt.Sprint(err1, err2)}
	}
	defer os.Remove(out.Name())
	defer os.Remove(errf.Name())
	defer out.Close()
	defer errf.Close()
	c.Stdout, c.Stderr = out, errf
	err := c.Run()
	stdout, _ := os.ReadFile(out.Name())
	stderr, _ := os.ReadFile(errf.Name())
	res := result{stdout: string(stdout), stderr: string(stderr)}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		res.code = -1
		res.stderr += err.Error()
	}
	return res
}

// run runs bundle to completion under a fresh container ID.
func (r *oci) run(t testing.TB, bundle string) result {
	t.Helper()
	return r.cmd("run", "--bundle", bundle, containerID(t))
}

var idSeq int

func containerID(t testing.TB) string {
	idSeq++
	name := strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
	if len(name) > 40 {
		name = name[:40]
	}
	return fmt.Sprintf("%s-%d-%d", name, os.Getpid(), idSeq)
}
