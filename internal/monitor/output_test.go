package monitor

import (
	"github.com/wardproject/ward/internal/jsonlog/logread"

	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOutputCopiesToLog: what is written to the pipes' write ends is
// appended to the log by the time finish returns, whether the writers
// have all closed the pipes (end of file) or one outlives the grace
// period (the rest is drained and its later writes fail with EPIPE).
func TestOutputCopiesToLog(t *testing.T) {
	for _, tc := range []struct {
		name      string
		lingering bool          // a writer keeps stdout's write end past finish
		grace     time.Duration // finish's
	}{
		{"writers gone", false, 10 * time.Second},
		{"a writer outlives the grace", true, 200 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logPath := filepath.Join(t.TempDir(), "container.log")
			earlier := `{"log":"earlier run\n","stream":"stdout","time":"2026-01-01T00:00:00Z"}` + "\n"
			if err := os.WriteFile(logPath, []byte(earlier), 0o600); err != nil {
				t.Fatal(err)
			}
			o, err := openOutput(logPath, 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			o.start()
			// The container's copies of the write ends, as the runtime
			// hands them on; the monitor closes its own.
			stdout, err := dupFile(o.write[0])
			if err != nil {
				t.Fatal(err)
			}
			stderr, err := dupFile(o.write[1])
			if err != nil {
				t.Fatal(err)
			}
			o.closeWrite()
			// More than a pipe holds, so the copy must run meanwhile.
			line := strings.Repeat("x", 99) + "\n"
			want := "earlier run\n"
			for range 1000 {
				if _, err := stdout.WriteString(line); err != nil {
					t.Fatalf("write stdout: %v", err)
				}
				want += line
			}
			stderr.WriteString("last words\n")
			stderr.Close()
			if !tc.lingering {
				stdout.Close()
			}
			start := time.Now()
			o.finish(tc.grace)
			if took := time.Since(start); !tc.lingering && took >= tc.grace {
				t.Errorf("finish took %v with every writer gone, want end of file before the grace ends", took)
			}
			// Each pipe keeps its order, in entries of its own stream;
			// stderr's one line lands anywhere among stdout's.
			var logged, errLogged string
			if _, _, err := logread.Read(logPath, logread.Options{Tail: -1}, func(e logread.Entry) error {
				if e.Stream == "stderr" {
					errLogged += e.Log
				} else {
					logged += e.Log
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if errLogged != "last words\n" {
				t.Errorf("stderr's entries %q, want %q", errLogged, "last words\n")
			}
			if logged != want {
				t.Errorf("log has %d bytes besides stderr's, want %d (ends %q)", len(logged), len(want), logged[max(0, len(logged)-40):])
			}
			if tc.lingering {
				_, err := stdout.WriteString("too late\n")
				if !errors.Is(err, syscall.EPIPE) {
					t.Errorf("write after finish: %v, want EPIPE", err)
				}
				stdout.Close()
			}
		})
	}
}

func dupFile(f *os.File) (*os.File, error) {
	fd, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}
