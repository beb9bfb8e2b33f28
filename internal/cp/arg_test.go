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

func TestParseRequest(t *testing.T) {
	r, err := ParseRequest("web:/etc/hosts", "-")
	if err != nil || r != (Request{Container: "web", Src: "/etc/hosts", Dst: "-", FromContainer: true}) {
		t.Errorf("from: %+v, %v", r, err)
	}
	r, err = ParseRequest("./file", "web:/tmp")
	if err != nil || r != (Request{Container: "web", Src: "./file", Dst: "/tmp"}) {
		t.Errorf("to: %+v, %v", r, err)
	}
	if _, err := ParseRequest("a:/x", "b:/y"); err == nil || err.Error() != "copying between containers is not supported" {
		t.Errorf("between containers: %v", err)
	}
	if _, err := ParseRequest("/x", "./y"); err == nil || err.Error() != "must specify at least one container source" {
		t.Errorf("no container: %v", err)
	}
}
