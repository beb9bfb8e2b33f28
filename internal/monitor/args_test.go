package monitor

import (
	"testing"
)

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		want   Config
		wantOK bool
	}{
		{"plain", []string{"--root", "/r", "--ward", "/bin/ward", "--log", "/l", "abc"},
			Config{Root: "/r", Ward: "/bin/ward", Log: "/l", ID: "abc"}, true},
		{"no log", []string{"--root", "/r", "--ward", "/bin/ward", "abc"},
			Config{Root: "/r", Ward: "/bin/ward", ID: "abc"}, false},
		{"terminal and runtime", []string{"--root", "/r", "--ward", "/w", "--runtime", "/rt", "--tty", "--log", "/l", "abc"},
			Config{Root: "/r", Ward: "/w", Runtime: "/rt", Tty: true, Log: "/l", ID: "abc"}, true},
		{"no ID", []string{"--root", "/r", "--ward", "/w"}, Config{Root: "/r", Ward: "/w"}, false},
		{"no ward", []string{"--root", "/r", "abc"}, Config{Root: "/r", ID: "abc"}, false},
		{"terminal without a log", []string{"--root", "/r", "--ward", "/w", "--tty", "abc"},
			Config{Root: "/r", Ward: "/w", Tty: true, ID: "abc"}, false},
		{"unknown flag", []string{"--root", "/r", "--ward", "/w", "--bogus", "abc"}, Config{Root: "/r", Ward: "/w"}, false},
		{"flag without value", []string{"--ward", "/w", "abc", "--root"}, Config{Ward: "/w", ID: "abc"}, false},
		{"two IDs", []string{"--root", "/r", "--ward", "/w", "a", "b"}, Config{Root: "/r", Ward: "/w", ID: "a"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseArgs(tc.args)
			if ok != tc.wantOK || got != tc.want {
				t.Errorf("ParseArgs(%q) = %+v, %v; want %+v, %v", tc.args, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
