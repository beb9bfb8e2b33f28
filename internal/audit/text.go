package audit

import (
	"fmt"
	"io"
	"strings"
)

const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
)

var severityColor = map[Severity]string{
	Critical: "\x1b[1;35m",
	High:     "\x1b[1;31m",
	Medium:   "\x1b[33m",
	Low:      "\x1b[36m",
	Info:     "\x1b[2m",
}

// WriteText writes findings grouped by checklist item, then the summary
// answering the checklist's four questions.
func WriteText(w io.Writer, r *Report, color bool) error {
	paint := func(code, s string) string {
		if !color || code == "" {
			return s
		}
		return code + s + ansiReset
	}
	var b strings.Builder
	groups := map[Checklist][]Finding{}
	for _, f := range r.Findings {
		groups[f.Checklist] = append(groups[f.Checklist], f)
	}
	order := append([]Checklist{}, ChecklistOrder...)
	for c := range groups {
		if !contains(order, c) {
			order = append(order, c)
		}
	}
	for _, c := range order {
		fs := groups[c]
		if len(fs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s (%d)\n", paint(ansiBold, string(c)), len(fs))
		for _, f := range fs {
			sev := fmt.Sprintf("%-8s", strings.ToUpper(f.Severity.String()))
			fmt.Fprintf(&b, "  %s %s %s\n", paint(severityColor[f.Severity], sev), f.Rule, f.Title)
			loc := f.File
			if f.Line > 0 {
				loc = fmt.Sprintf("%s:%d", f.File, f.Line)
			}
			fmt.Fprintf(&b, "           %s  %s\n", loc, paint(ansiDim, f.Resource))
			fmt.Fprintf(&b, "           %s\n", f.Message)
			fmt.Fprintf(&b, "           %s %s\n", paint(ansiBold, "fix:"), f.Fix)
			if f.Link != "" {
				fmt.Fprintf(&b, "           %s %s\n", paint(ansiBold, "see:"), f.Link)
			}
		}
		b.WriteString("\n")
	}
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "%s %s\n", paint(severityColor[High], "error:"), e)
	}

	s := r.Summary
	var sev []string
	for i := Critical; i >= Info; i-- {
		if n := s.BySeverity[i.String()]; n > 0 {
			sev = append(sev, fmt.Sprintf("%d %s", n, i))
		}
	}
	counts := ""
	if len(sev) > 0 {
		counts = " (" + strings.Join(sev, ", ") + ")"
	}
	fmt.Fprintf(&b, "%s %s, %s, %s%s", paint(ansiBold, "Summary:"), Count(len(r.Inputs), "input"), Count(s.Workloads, "workload"), Count(len(r.Findings), "finding"), counts)
	if len(r.Suppressed) > 0 {
		fmt.Fprintf(&b, ", %d suppressed", len(r.Suppressed))
	}
	b.WriteString("\n")
	for _, q := range s.Questions {
		code := ""
		switch q.Answer {
		case "yes":
			code = "\x1b[32m"
		case "no":
			code = severityColor[High]
		default:
			code = severityColor[Medium]
		}
		fmt.Fprintf(&b, "  %-36s %s  %s\n", q.Question, paint(code, fmt.Sprintf("%-11s", q.Answer)), q.Detail)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func contains(xs []Checklist, x Checklist) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Count spells n with its noun: "1 finding", "2 findings".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
