package audit

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Suppression is an inline `# ward:ignore=ID[,ID...] reason` comment. It
// placed after code covers that line; on a line of its own it covers the next
// line that is not a comment. Either way it also covers a whole resource (a
// stage, service or container) that starts on the covered line.
type Suppression struct {
	File   string
	Line   int // the comment's line
	Target int // the next line holding something other than a comment
	IDs    []string
	Reason string
}

var ignoreComment = regexp.MustCompile(`#\s*ward:ignore=([A-Za-z0-9_,-]*)\s*(.*)$`)

// ParseSuppressions finds the inline suppressions in a file. A suppression
// without a reason is an error: an unexplained ignore is how findings rot.
func ParseSuppressions(file string, data []byte) ([]Suppression, error) {
	lines := strings.Split(string(data), "\n")
	var out []Suppression
	for i, l := range lines {
		m := ignoreComment.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		s := Suppression{File: file, Line: i + 1, Reason: strings.TrimSpace(m[2])}
		for _, id := range strings.Split(m[1], ",") {
			if id = strings.TrimSpace(id); id != "" {
				s.IDs = append(s.IDs, id)
			}
		}
		if len(s.IDs) == 0 {
			return nil, fmt.Errorf("%s:%d: ward:ignore names no rule ID", file, i+1)
		}
		if s.Reason == "" {
			return nil, fmt.Errorf("%s:%d: ward:ignore=%s needs a reason after the IDs", file, i+1, strings.Join(s.IDs, ","))
		}
		// A trailing comment covers its own line only; a comment line
		// covers the next line that is not a comment.
		s.Target = s.Line
		before, _, _ := strings.Cut(l, "#")
		for j := i + 1; strings.TrimSpace(before) == "" && j < len(lines); j++ {
			t := strings.TrimSpace(lines[j])
			if t != "" && !strings.HasPrefix(t, "#") {
				s.Target = j + 1
				break
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// covers reports whether s suppresses f.
func (s Suppression) covers(f Finding) bool {
	if s.File != f.File || !slices.Contains(s.IDs, f.Rule) {
		return false
	}
	for _, l := range []int{f.Line, f.ResourceLine} {
		if l != 0 && (l == s.Line || l == s.Target) {
			return true
		}
	}
	return false
}

// ApplySuppressions splits findings into those kept and those suppressed
// inline.
func ApplySuppressions(fs []Finding, sups []Suppression) (kept []Finding, suppressed []Suppressed) {
	for _, f := range fs {
		i := slices.IndexFunc(sups, func(s Suppression) bool { return s.covers(f) })
		if i < 0 {
			kept = append(kept, f)
			continue
		}
		suppressed = append(suppressed, Suppressed{Finding: f, By: "inline", Reason: sups[i].Reason})
	}
	return kept, suppressed
}
