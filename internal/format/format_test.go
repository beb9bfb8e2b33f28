package format

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

type state struct {
	Pid       int
	StartedAt time.Time
}

type object struct {
	ID     string `json:"Id"`
	Name   string
	State  state
	Labels map[string]string
	Args   []string
}

func TestInspect(t *testing.T) {
	o := object{ID: "abc123", Name: "/web", State: state{Pid: 42, StartedAt: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)},
		Labels: map[string]string{"b": "2", "a": "1"}, Args: []string{"-c", "echo hi"}}
	for _, tc := range []struct{ tmpl, want string }{
		{"{{.State.Pid}}", "42"},
		{"{{.Id}}", "abc123"}, // as the JSON spells it
		{"{{.ID}}", "abc123"}, // as Go spells it
		{"{{.State.StartedAt}}", "2026-01-02T03:04:05.000000006Z"}, // as the JSON shows it
		{"{{if eq .State.Pid 42}}yes{{end}}", "yes"},
		{"{{printf \"%d\" .State.Pid}}", "42"},
		{"{{json .Labels}}", `{"a":"1","b":"2"}`},
		{"{{join .Args \",\"}}", "-c,echo hi"},
		{"{{upper .Name}} {{lower \"AB\"}} {{title \"hello world\"}}", "/WEB ab Hello World"},
		{"{{index (split .Name \"w\") 1}}", "eb"},
		{"{{truncate .Id 3}}|{{pad .Id 1 2}}|", "abc| abc123  |"},
		{"{{.Labels.a}}", "1"},
		{"{{.Labels.missing}}", "<no value>"},
		{"{{.Nope}}", "<no value>"},
		{"{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}", "a=1;b=2;"},
		{"{{println .Name}}", "/web\n"},
		{"json", `{"Args":["-c","echo hi"],"Id":"abc123","Labels":{"a":"1","b":"2"},"Name":"/web","State":{"Pid":42,"StartedAt":"2026-01-02T03:04:05.000000006Z"}}`},
	} {
		t.Run(tc.tmpl, func(t *testing.T) {
			tmpl, err := TemplateOf(tc.tmpl)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := Inspect(&out, tmpl, o); err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSuffix(out.String(), "\n"); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestInspectErrors(t *testing.T) {
	if _, err := TemplateOf("{{.State.Pid"); err == nil || !strings.Contains(err.Error(), "template parsing error") {
		t.Errorf("unclosed action: %v", err)
	}
	tmpl, err := TemplateOf("{{index .Args 5}}")
	if err != nil {
		t.Fatal(err)
	}
	if err := Inspect(&bytes.Buffer{}, tmpl, object{}); err == nil {
		t.Error("index out of range: no error")
	}
}

type row struct {
	ID, Names string
	labels    map[string]string
}

func (r row) Label(k string) string { return r.labels[k] }

type header Headers

func (h header) Label(string) string { return "LABEL" }

func TestWriter(t *testing.T) {
	rows := []row{{ID: "1", Names: "a-long-name", labels: map[string]string{"x": "y"}}, {ID: "22", Names: "b"}}
	h := header{"ID": "CONTAINER ID", "Names": "NAMES"}
	for _, tc := range []struct{ format, want string }{
		{"{{.ID}}", "1\n22\n"},
		{"{{.ID}}: {{.Names}}", "1: a-long-name\n22: b\n"},
		{`{{.ID}}\t{{.Names}}`, "1\ta-long-name\n22\tb\n"}, // typed \t, as docker/cli reads it
		{`table {{.ID}}\t{{.Names}}`, "CONTAINER ID   NAMES\n1              a-long-name\n22             b\n"},
		{`table {{.Names}}\t{{.Label "x"}}`, "NAMES         LABEL\na-long-name   y\nb             \n"},
		{`table {{upper .Names}}`, "NAMES\nA-LONG-NAME\nB\n"},
		{"json", `{"ID":"1","Names":"a-long-name"}` + "\n" + `{"ID":"22","Names":"b"}` + "\n"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			var out bytes.Buffer
			w, err := New(&out, tc.format, h)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				if err := w.Write(r); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("got\n%q\nwant\n%q", out.String(), tc.want)
			}
		})
	}
	// A table with no rows still prints its header; an unknown field is
	// an error naming it.
	var out bytes.Buffer
	w, _ := New(&out, `table {{.ID}}`, h)
	w.Flush()
	if out.String() != "CONTAINER ID\n" {
		t.Errorf("empty table: %q", out.String())
	}
	w, _ = New(&out, `{{.Nope}}`, h)
	if err := w.Write(rows[0]); err == nil || !strings.Contains(err.Error(), "Nope") {
		t.Errorf("unknown field: %v", err)
	}
}
