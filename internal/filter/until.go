package filter

import (
	"fmt"
	"strings"
	"time"
)

// NotLabels applies a prune's label! filter (key): false when labels
// carry one of its values, "KEY" (any value) or "KEY=VALUE". Docker
// prunes nothing carrying such a label.
func (a Args) NotLabels(key string, labels map[string]string) bool {
	for _, l := range a[key] {
		k, v, hasValue := strings.Cut(l, "=")
		if got, ok := labels[k]; ok && (!hasValue || got == v) {
			return false
		}
	}
	return true
}

// ParseUntil reads a prune's until filter (and events' --since and
// --until): a duration before now (10m, 24h), an RFC 3339 time or a
// date in local time, or Unix seconds.
func ParseUntil(v string) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil {
		return time.Now().Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			return t, nil
		}
	}
	var sec int64
	if _, err := fmt.Sscanf(v, "%d", &sec); err == nil && fmt.Sprint(sec) == v {
		return time.Unix(sec, 0), nil
	}
	return time.Time{}, fmt.Errorf("invalid filter 'until=%s'", v)
}
