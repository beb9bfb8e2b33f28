package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Formats lists the output formats of `ward check`.
var Formats = []string{"text", "json", "sarif"}

// Write renders r in the named format. rules is the table the findings came
// from (SARIF lists them); color applies to text only.
func Write(w io.Writer, format string, r *Report, rules []Rule, color bool) error {
	switch format {
	case "text":
		return WriteText(w, r, color)
	case "json":
		return WriteJSON(w, r)
	case "sarif":
		return WriteSARIF(w, r, rules)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// WriteJSON writes the report as one JSON object whose findings array holds
// exactly the violations; suppressed findings and the summary sit beside it.
func WriteJSON(w io.Writer, r *Report) error {
	out := *r
	if out.Findings == nil {
		out.Findings = []Finding{} // an empty array, never null, for jq users
	}
	if out.Inputs == nil {
		out.Inputs = []Input{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
