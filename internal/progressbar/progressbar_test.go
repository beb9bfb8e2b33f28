package progressbar

import "testing"

func TestHumanSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0B"}, {999, "999B"}, {1000, "1kB"}, {1_996_800, "2MB"}, {4_270_000, "4.27MB"}, {160_000_000, "160MB"}, {1_500_000_000, "1.5GB"},
	}
	for _, tc := range tests {
		if got := HumanSize(tc.n); got != tc.want {
			t.Errorf("HumanSize(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
