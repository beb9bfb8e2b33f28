package managers

import "testing"

// TestLineDiff needs no root: it checks how differences are reported.
func TestLineDiff(t *testing.T) {
	tests := []struct {
		name, ref, other, want string
	}{
		{"one line", "RUNNING", "STOPPED", "- runc: RUNNING\n+ ward: STOPPED"},
		{"changed line", "a\nb\nc", "a\nB\nc", "(- runc only, + ward only)\n  a\n- b\n+ B\n  c"},
		{"extra line", "a\nc", "a\nb\nc", "(- runc only, + ward only)\n  a\n+ b\n  c"},
		{"missing line", "a\nb\nc", "a\nc", "(- runc only, + ward only)\n  a\n- b\n  c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lineDiff(tt.ref, tt.other, "ward"); got != tt.want {
				t.Errorf("lineDiff:\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
