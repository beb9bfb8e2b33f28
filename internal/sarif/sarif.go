// Package sarif holds the subset of SARIF 2.1.0 that GitHub code scanning
// reads, shared by ward check's and ward scan's writers so both produce the
// same shape: rules with a short description, help and a security
// severity, results with a level, a message and a location.
package sarif

import (
	"encoding/json"
	"io"
)

// Schema and Version name the SARIF dialect every log declares.
const (
	Schema  = "https://json.schemastore.org/sarif-2.1.0.json"
	Version = "2.1.0"
)

// Log is a SARIF document.
type Log struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []Run  `json:"runs"`
}

// Run is one tool's results.
type Run struct {
	Tool    Tool     `json:"tool"`
	Results []Result `json:"results"`
	// Properties carry what is not a result: ward scan's coverage.
	Properties map[string]any `json:"properties,omitempty"`
}

// Tool describes the producer.
type Tool struct {
	Driver Driver `json:"driver"`
}

// Driver is the tool's name and rule table.
type Driver struct {
	Name           string `json:"name"`
	InformationURI string `json:"informationUri,omitempty"`
	Rules          []Rule `json:"rules"`
}

// Text is a plain (and optionally markdown) message.
type Text struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

// Rule is one reporting descriptor.
type Rule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name,omitempty"`
	ShortDescription     Text           `json:"shortDescription"`
	FullDescription      *Text          `json:"fullDescription,omitempty"`
	Help                 *Text          `json:"help,omitempty"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration *Config        `json:"defaultConfiguration,omitempty"`
	Properties           map[string]any `json:"properties,omitempty"`
}

// Config is a rule's default level.
type Config struct {
	Level string `json:"level"`
}

// Result is one finding.
type Result struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             Text              `json:"message"`
	Locations           []Location        `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
}

// Location points at a file, and at a line when one is known.
type Location struct {
	PhysicalLocation Physical `json:"physicalLocation"`
}

// Physical is a location in an artifact.
type Physical struct {
	ArtifactLocation Artifact `json:"artifactLocation"`
	Region           *Region  `json:"region,omitempty"`
}

// Artifact names the file by URI.
type Artifact struct {
	URI string `json:"uri"`
}

// Region is a line in the artifact.
type Region struct {
	StartLine int `json:"startLine"`
}

// At builds a location for uri, with a region when line is positive.
func At(uri string, line int) Location {
	loc := Location{PhysicalLocation: Physical{ArtifactLocation: Artifact{URI: uri}}}
	if line > 0 {
		loc.PhysicalLocation.Region = &Region{StartLine: line}
	}
	return loc
}

// Rank orders severities as both of ward's reports do: 0 info or unknown,
// 1 low, 2 medium, 3 high, 4 critical.
type Rank int

// Level maps a severity rank to SARIF's levels.
func Level(r Rank) string {
	switch {
	case r >= 3:
		return "error"
	case r == 2:
		return "warning"
	}
	return "note"
}

// SecuritySeverity is the CVSS-like score GitHub uses to bucket alerts.
func SecuritySeverity(r Rank) string {
	return [...]string{"1.0", "3.0", "5.5", "8.0", "9.5"}[max(0, min(int(r), 4))]
}

// Write encodes one run as an indented SARIF log.
func Write(w io.Writer, run Run) error {
	if run.Tool.Driver.Rules == nil {
		run.Tool.Driver.Rules = []Rule{}
	}
	if run.Results == nil {
		run.Results = []Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(Log{Schema: Schema, Version: Version, Runs: []Run{run}})
}
