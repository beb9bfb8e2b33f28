package runtimelog

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestJSONLinesForTheShim(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.json")
	l, err := Open(path, "json", false)
	if err != nil {
		t.Fatal(err)
	}
	l.Debugf("not logged without --debug")
	l.Warn("a warning")
	l.Error(`container "x" does not exist`)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got:\n%s", data)
	}
	var e struct{ Level, Msg, Time string }
	if err := json.Unmarshal([]byte(lines[1]), &e); err != nil {
		t.Fatal(err)
	}
	if e.Level != "error" || e.Msg != `container "x" does not exist` {
		t.Errorf("last line %+v", e)
	}
	if _, err := time.Parse(time.RFC3339Nano, e.Time); err != nil {
		t.Errorf("time %q: %v", e.Time, err)
	}
	if _, err := Open(path, "xml", false); err == nil {
		t.Error("an unknown log format was accepted")
	}
}
