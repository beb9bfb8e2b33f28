// Package format renders objects through Go templates as Docker's CLI
// does: the same functions (json, join, split, table, upper, lower,
// title, truncate, pad, println), the `table` directive with a header
// row and Docker's column widths, and `json` as a shorthand for
// `{{json .}}`.
//
// A Writer is made once per command from the user's --format; Write is
// called once per object, Flush once at the end (for a table, that is
// when the columns are laid out).
package format

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"text/template"
	"unicode"
)

// Functions are Docker's template functions (docker/cli's
// templates.basicFunctions); println and the rest of text/template's
// builtins come with the language.
var Functions = template.FuncMap{
	"json":     jsonString,
	"split":    strings.Split,
	"join":     strings.Join,
	"title":    title,
	"lower":    strings.ToLower,
	"upper":    strings.ToUpper,
	"pad":      pad,
	"truncate": truncate,
}

// headerFunctions stand in for Functions while the header row of a
// table is rendered: each returns the column's name unchanged, as
// docker/cli's templates.HeaderFunctions do.
var headerFunctions = template.FuncMap{
	"json":     func(v any) string { return fmt.Sprint(v) },
	"split":    func(v string, _ string) string { return v },
	"join":     func(v string, _ string) string { return v },
	"title":    func(v string) string { return v },
	"lower":    func(v string) string { return v },
	"upper":    func(v string) string { return v },
	"pad":      func(v string, _, _ int) string { return v },
	"truncate": func(v string, _ int) string { return v },
}

func jsonString(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSpace(buf.String()), nil
}

// title upper-cases the first letter of each word, as the deprecated
// strings.Title Docker calls.
func title(s string) string {
	prev := ' '
	return strings.Map(func(r rune) rune {
		out := r
		if unicode.IsSpace(prev) || unicode.IsPunct(prev) && prev != '\'' {
			out = unicode.ToTitle(r)
		}
		prev = r
		return out
	}, s)
}

func pad(s string, prefix, suffix int) string {
	if s == "" {
		return s
	}
	return strings.Repeat(" ", prefix) + s + strings.Repeat(" ", suffix)
}

func truncate(s string, n int) string {
	if len(s) < n {
		return s
	}
	return s[:n]
}

// Parse parses a template with Docker's functions. Docker's CLI reads
// the two characters `\t` and `\n` in a --format as tab and newline
// only under `table`; Parse leaves them to the caller.
func Parse(text string) (*template.Template, error) {
	t, err := template.New("").Funcs(Functions).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("template parsing error: %w", err)
	}
	return t, nil
}

// Writer renders one object per Write.
type Writer struct {
	out    io.Writer
	tmpl   *template.Template
	json   bool
	table  *tabwriter.Writer
	header any // the header context, rendered before the first row
	rows   int
}

// Headers names a table's columns: a field name (ID) to its column's
// title (CONTAINER ID). Methods with arguments (Label "x") are served by
// a Header type of the caller's.
type Headers map[string]string

// New makes a Writer for a --format value: "json" (one JSON object per
// line), "table TEMPLATE" (a header row from header, then aligned
// columns) or a template run once per object, each followed by a
// newline. header is what the template is executed on for the header
// row (usually a Headers map, or a type of the caller's with methods).
func New(out io.Writer, text string, header any) (*Writer, error) {
	w := &Writer{out: out, header: header}
	if text == "json" {
		w.json = true
		return w, nil
	}
	if rest, ok := strings.CutPrefix(text, "table"); ok {
		text = strings.TrimLeft(rest, " ")
		// docker/cli's table writer: minwidth 10, tabwidth 1, padding 3.
		w.table = tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)
	}
	// As docker/cli's formatter, table or not: a typed \t or \n (the
	// shell passes them as two characters) is a tab or a newline.
	text = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(text)
	t, err := Parse(text)
	if err != nil {
		return nil, err
	}
	w.tmpl = t
	return w, nil
}

// IsTable tells whether the format is a table (which prints a header
// even when there are no rows).
func (w *Writer) IsTable() bool { return w.table != nil }

// Write renders one object.
func (w *Writer) Write(v any) error {
	if w.json {
		s, err := jsonString(v)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(w.out, s)
		return err
	}
	if w.table != nil && w.rows == 0 {
		if err := w.writeHeader(); err != nil {
			return err
		}
	}
	w.rows++
	var buf bytes.Buffer
	if err := w.tmpl.Execute(&buf, v); err != nil {
		return err // text/template's errors start with "template:"
	}
	buf.WriteByte('\n')
	if w.table != nil {
		_, err := w.table.Write(buf.Bytes())
		return err
	}
	_, err := w.out.Write(buf.Bytes())
	return err
}

func (w *Writer) writeHeader() error {
	if w.header == nil {
		return nil
	}
	t, err := w.tmpl.Clone()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := t.Funcs(headerFunctions).Execute(&buf, w.header); err != nil {
		// A template a header cannot answer (a method with arguments
		// the header type lacks) gets no header, as docker/cli.
		return nil
	}
	if strings.TrimSpace(buf.String()) == "" {
		return nil
	}
	buf.WriteByte('\n')
	_, err = w.table.Write(buf.Bytes())
	return err
}

// Flush lays out a table (with its header alone when nothing was
// written).
func (w *Writer) Flush() error {
	if w.table == nil {
		return nil
	}
	if w.rows == 0 {
		if err := w.writeHeader(); err != nil {
			return err
		}
	}
	return w.table.Flush()
}

// Inspect executes a template on one inspected object as `docker
// inspect -f` does, so that what a field prints is what the JSON shows
// (a time as RFC 3339, not Go's time.Time text). It tries, in order: the
// object's JSON form decoded into maps, with a missing key an error;
// the object itself (a field spelled as in Go, ".ID", where the JSON says
// "Id"); and the JSON form again, where a missing key prints "<no value>"
// as Docker's does.
func Inspect(out io.Writer, tmpl *template.Template, v any) error {
	raw, err := JSONValue(v)
	if err != nil {
		return err
	}
	strict, err := tmpl.Clone()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	try := func(t *template.Template, v any) error {
		buf.Reset()
		return t.Execute(&buf, v)
	}
	if err := try(strict.Option("missingkey=error"), raw); err != nil {
		if err := try(tmpl, v); err != nil {
			if err := try(tmpl, raw); err != nil {
				return err
			}
		}
	}
	buf.WriteByte('\n')
	_, err = out.Write(buf.Bytes())
	return err
}

// JSONValue is v as its JSON decodes: maps, slices, strings, booleans,
// and numbers as int64 where they are whole (so `eq .State.Pid 0` and
// `printf "%d"` work) and float64 otherwise.
func JSONValue(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	return numbers(raw), nil
}

func numbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

// TemplateOf is the inspect template of -f/--format: "" is none (print
// JSON), "json" is `{{json .}}`.
func TemplateOf(text string) (*template.Template, error) {
	if text == "" {
		return nil, nil
	}
	if text == "json" {
		text = "{{json .}}"
	}
	return Parse(text)
}
