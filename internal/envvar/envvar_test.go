package envvar

import (
	"slices"
	"testing"
)

func TestMerge(t *testing.T) {
	for _, tc := range []struct {
		base, extra, want []string
	}{
		{[]string{"PATH=/bin", "A=1"}, []string{"A=2"}, []string{"PATH=/bin", "A=2"}},
		{[]string{"PATH=/bin"}, []string{"B=x=y"}, []string{"PATH=/bin", "B=x=y"}},
		{[]string{"PATH=/bin", "A=1"}, []string{"A"}, []string{"PATH=/bin"}},
		{[]string{"PATH=/bin"}, []string{"A"}, []string{"PATH=/bin"}},
		{[]string{"A=1"}, []string{"A=", "A=3"}, []string{"A=3"}},
		{nil, []string{"E="}, []string{"E="}},
		{nil, nil, nil},
	} {
		base := slices.Clone(tc.base)
		got := Merge(tc.base, tc.extra)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Merge(%q, %q) = %q, want %q", tc.base, tc.extra, got, tc.want)
		}
		if !slices.Equal(base, tc.base) {
			t.Errorf("Merge changed its base: %q", tc.base)
		}
	}
}
