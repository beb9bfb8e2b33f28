package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// AcceptFile records findings a team has accepted, so that only new ones
// fail CI. Findings are matched by Fingerprint (rule, file, resource,
// message: not the line, which moves with unrelated edits).
type AcceptFile struct {
	Version  int        `json:"version"`
	Accepted []Accepted `json:"accepted"`
}

// Accepted is one accepted finding; the fields beside the fingerprint are
// there for the humans reviewing the file.
type Accepted struct {
	Fingerprint string `json:"fingerprint"`
	Rule        string `json:"rule"`
	File        string `json:"file"`
	Resource    string `json:"resource"`
	Message     string `json:"message"`
}

// WriteAccept writes an accept file holding every finding given.
func WriteAccept(w io.Writer, fs []Finding) error {
	a := AcceptFile{Version: 1, Accepted: []Accepted{}}
	for _, f := range fs {
		a.Accepted = append(a.Accepted, Accepted{Fingerprint: Fingerprint(f), Rule: f.Rule, File: f.File, Resource: f.Resource, Message: f.Message})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(a)
}

// LoadAccept reads an accept file into a set of fingerprints.
func LoadAccept(path string) (map[string]bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read accept file %s: %w", path, err)
	}
	var a AcceptFile
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("parse accept file %s: %w", path, err)
	}
	if a.Version != 1 {
		return nil, fmt.Errorf("accept file %s: unsupported version %d", path, a.Version)
	}
	set := map[string]bool{}
	for _, e := range a.Accepted {
		set[e.Fingerprint] = true
	}
	return set, nil
}

// ApplyAccepted splits findings into new ones and accepted ones.
func ApplyAccepted(fs []Finding, accepted map[string]bool) (kept []Finding, suppressed []Suppressed) {
	for _, f := range fs {
		if accepted[Fingerprint(f)] {
			suppressed = append(suppressed, Suppressed{Finding: f, By: "accept", Reason: "accepted"})
			continue
		}
		kept = append(kept, f)
	}
	return kept, suppressed
}
