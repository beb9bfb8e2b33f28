// Package runtimelog writes ward-runtime's log the way runc does, because
// containerd's shim reads the last line of that file to report a failure:
// JSON lines {"level":"error","msg":"...","time":"..."} with
// --log-format json, logfmt-style lines otherwise.
package runtimelog

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// Logger writes leveled lines to one destination.
type Logger struct {
	w     io.Writer
	json  bool
	debug bool
}

// Open returns a logger writing to path (appending), or to stderr when
// path is empty. format is "text" or "json".
func Open(path, format string, debug bool) (*Logger, error) {
	if format != "text" && format != "json" {
		return nil, fmt.Errorf("invalid log format %q: want text or json", format)
	}
	l := &Logger{w: os.Stderr, json: format == "json", debug: debug}
	if path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_SYNC, 0o644)
		if err != nil {
			return nil, fmt.Errorf("open log file %s: %w", path, err)
		}
		l.w = f
	}
	return l, nil
}

// ToFile reports whether the log goes somewhere other than stderr.
func (l *Logger) ToFile() bool { return l.w != os.Stderr }

// Error logs msg at error level.
func (l *Logger) Error(msg string) { l.write("error", msg) }

// Warn logs msg at warning level.
func (l *Logger) Warn(msg string) { l.write("warning", msg) }

// Debugf logs at debug level when --debug is on.
func (l *Logger) Debugf(format string, args ...any) {
	if l.debug {
		l.write("debug", fmt.Sprintf(format, args...))
	}
}

func (l *Logger) write(level, msg string) {
	now := time.Now().Format(time.RFC3339Nano)
	if l.json {
		line, _ := json.Marshal(struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
			Time  string `json:"time"`
		}{level, msg, now})
		fmt.Fprintf(l.w, "%s\n", line)
		return
	}
	fmt.Fprintf(l.w, "time=%q level=%s msg=%s\n", now, level, strconv.Quote(msg))
}
