package filter

import (
	"testing"
	"time"
)

func TestNotLabels(t *testing.T) {
	labels := map[string]string{"keep": "yes", "tier": "db"}
	for _, tc := range []struct {
		filters []string
		want    bool
	}{
		{nil, true},
		{[]string{"keep"}, false},
		{[]string{"keep=yes"}, false},
		{[]string{"keep=no"}, true},
		{[]string{"other"}, true},
		{[]string{"other", "tier=db"}, false},
	} {
		if got := (Args{"label!": tc.filters}).NotLabels("label!", labels); got != tc.want {
			t.Errorf("label!=%v: got %v, want %v", tc.filters, got, tc.want)
		}
	}
}

func TestParseUntil(t *testing.T) {
	before := time.Now()
	got, err := ParseUntil("10m")
	if err != nil || got.After(before.Add(-10*time.Minute+time.Second)) || got.Before(before.Add(-11*time.Minute)) {
		t.Errorf("10m: %v, %v", got, err)
	}
	for v, want := range map[string]time.Time{
		"2024-03-01":                time.Date(2024, 3, 1, 0, 0, 0, 0, time.Local),
		"2024-03-01T10:20:30":       time.Date(2024, 3, 1, 10, 20, 30, 0, time.Local),
		"2024-03-01T10:20:30Z":      time.Date(2024, 3, 1, 10, 20, 30, 0, time.UTC),
		"2024-03-01T10:20:30+02:00": time.Date(2024, 3, 1, 8, 20, 30, 0, time.UTC),
		"1700000000":                time.Unix(1700000000, 0),
	} {
		if got, err := ParseUntil(v); err != nil || !got.Equal(want) {
			t.Errorf("%s: %v, %v; want %v", v, got, err, want)
		}
	}
	for _, bad := range []string{"yesterday", "12x", "1700000000.5", ""} {
		if _, err := ParseUntil(bad); err == nil || err.Error() != "invalid filter 'until="+bad+"'" {
			t.Errorf("%q: %v, want invalid filter", bad, err)
		}
	}
}
