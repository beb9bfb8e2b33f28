package monitor

import (
	"bufio"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/exitstatus"
)

// Reporter writes the monitor's one line to the ward that started it.
type Reporter struct{ f *os.File }

// NewReporter reports on f (fd 3 in the monitor); nil reports nothing.
// f is made close-on-exec: the processes the monitor starts, and the
// container, must not hold the starting ward's pipe.
func NewReporter(f *os.File) *Reporter {
	if f != nil {
		unix.CloseOnExec(int(f.Fd()))
	}
	return &Reporter{f: f}
}

// Started says the container runs, and closes the pipe.
func (r *Reporter) Started() { r.line("started") }

// Failed says why the container could not start, with the exit status
// the starting ward should use (125 unless err is an *exitstatus.Error saying
// otherwise). After Started it does nothing.
func (r *Reporter) Failed(err error) { r.line(ErrorLine(err)) }

func (r *Reporter) line(s string) {
	if r.f == nil {
		return
	}
	r.f.WriteString(s + "\n")
	r.f.Close()
	r.f = nil
}

// ErrorLine is the protocol's line for a failure: "error CODE MSG".
func ErrorLine(err error) string {
	code := 125
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		code = ec.ExitCode()
	}
	return "error " + strconv.Itoa(code) + " " + strings.ReplaceAll(err.Error(), "\n", " ")
}

func parseError(line string) (*exitstatus.Error, bool) {
	rest, ok := strings.CutPrefix(line, "error ")
	if !ok {
		return nil, false
	}
	codeStr, msg, _ := strings.Cut(rest, " ")
	code, _ := strconv.Atoi(codeStr)
	if code == 0 {
		code = 125
	}
	return exitstatus.New(code, errors.New(msg)), true
}

// ReadReport reads the monitor's line: nil once the container runs, an
// *exitstatus.Error when it could not start. ok is false when the monitor exited
// without a line.
func ReadReport(r io.Reader) (err error, ok bool) {
	line, _ := bufio.NewReader(r).ReadString('\n')
	line = strings.TrimSuffix(line, "\n")
	if line == "started" {
		return nil, true
	}
	if e, ok := parseError(line); ok {
		return e, true
	}
	return nil, false
}
