package initproc

import "testing"

func TestIsInit(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"ward-runtime", "init"}, true},
		{[]string{"/usr/bin/ward-runtime", "init", "extra"}, true},
		{[]string{"ward-runtime", "run", "init"}, false},
		{[]string{"ward-runtime"}, false},
		{nil, false},
	} {
		if got := IsInit(tc.args); got != tc.want {
			t.Errorf("IsInit(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}
