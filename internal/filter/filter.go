// Package filter reads Docker's --filter KEY=VALUE arguments. Values
// given for the same key are alternatives (any may match); different
// keys must all match, as in Docker.
package filter

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// Args are the parsed filters: key to the values given for it.
type Args map[string][]string

// Parse reads --filter values, accepting only the keys a command knows.
func Parse(values []string, keys ...string) (Args, error) {
	args := Args{}
	for _, v := range values {
		k, val, ok := strings.Cut(v, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || k == "" {
			return nil, fmt.Errorf("bad format of filter %q (expected name=value)", v)
		}
		if !slices.Contains(keys, k) {
			return nil, fmt.Errorf("invalid filter %q", k)
		}
		args[k] = append(args[k], strings.TrimSpace(val))
	}
	return args, nil
}

// Has tells whether the key was given.
func (a Args) Has(key string) bool { return len(a[key]) > 0 }

// Any tells whether the key was not given, or match accepts one of its
// values.
func (a Args) Any(key string, match func(value string) bool) bool {
	vals := a[key]
	if len(vals) == 0 {
		return true
	}
	return slices.ContainsFunc(vals, match)
}

// Is tells whether the key was not given, or one of its values equals
// s.
func (a Args) Is(key, s string) bool {
	return a.Any(key, func(v string) bool { return v == s })
}

// Labels tells whether the key (label, usually) was not given, or every
// one of its values matches labels: "KEY" when the label is present,
// "KEY=VALUE" when it has that value, "KEY!=VALUE" when it has not.
// Docker requires every label filter to match, unlike other keys.
func (a Args) Labels(key string, labels map[string]string) bool {
	for _, v := range a[key] {
		if k, val, ok := strings.Cut(v, "!="); ok {
			if got, has := labels[k]; has && got == val {
				return false
			}
			continue
		}
		k, val, ok := strings.Cut(v, "=")
		got, has := labels[k]
		if !has || ok && got != val {
			return false
		}
	}
	return true
}

// Bool reads a boolean filter value (dangling=true), as Docker: true,
// 1, false, 0.
func Bool(key, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("invalid filter '%s=%s'", key, v)
}

// Wildcard matches a reference filter's pattern as Docker's
// reference filter does: path.Match's * and ?, against the familiar
// name.
func Wildcard(pattern, s string) bool {
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}
