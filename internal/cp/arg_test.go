package cp

import "testing"

func TestSplitArg(t *testing.T) {
	for arg, want := range map[string][2]string{
		"web:/etc/passwd": {"web", "/etc/passwd"},
		"web:rel":         {"web", "rel"},
		"/tmp/a:b":        {"", "/tmp/a:b"},
		"./a:b":           {"", "./a:b"},
		"dir/a:b":         {"", "dir/a:b"},
		"plain":           {"", "plain"},
		"-":               {"", "-"},
	} {
		if c, p := SplitArg(arg); c != want[0] || p != want[1] {
			t.Errorf("SplitArg(%q) = %q, %q; want %q, %q", arg, c, p, want[0], want[1])
		}
	}
}
