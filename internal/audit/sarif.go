package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/wardproject/ward/internal/workload"
)

// SARIF 2.1.0, the subset GitHub code scanning reads: rules with help and
// security-severity, results with a file and a line.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

func sarifLevel(s Severity) string {
	switch {
	case s >= High:
		return "error"
	case s == Medium:
		return "warning"
	}
	return "note"
}

// securitySeverity maps to the CVSS-like score GitHub uses to bucket alerts.
var securitySeverity = map[Severity]string{Critical: "9.5", High: "8.0", Medium: "5.5", Low: "3.0", Info: "1.0"}

// WriteSARIF writes the findings as a SARIF 2.1.0 log.
func WriteSARIF(w io.Writer, r *Report, rules []Rule) error {
	index := map[string]int{}
	driver := sarifDriver{Name: "ward", InformationURI: "https://github.com/wardproject/ward/blob/main/docs/RULES.md", Rules: []sarifRule{}}
	for _, rule := range rules {
		index[rule.ID] = len(driver.Rules)
		var help strings.Builder
		help.WriteString(rule.Why + "\n\nHow to fix:\n")
		for _, k := range workload.Kinds {
			if fix, ok := rule.Fix[k]; ok {
				help.WriteString("- " + string(k) + ": " + fix + "\n")
			}
		}
		driver.Rules = append(driver.Rules, sarifRule{
			ID: rule.ID, Name: rule.Title,
			ShortDescription:     sarifText{Text: rule.Title},
			FullDescription:      sarifText{Text: rule.Why},
			Help:                 sarifText{Text: help.String(), Markdown: help.String()},
			DefaultConfiguration: sarifConfig{Level: sarifLevel(rule.Severity)},
			Properties: map[string]any{
				"tags":              []string{"security", string(rule.Checklist)},
				"security-severity": securitySeverity[rule.Severity],
				"checklist":         string(rule.Checklist),
			},
		})
	}
	results := []sarifResult{}
	for _, f := range r.Findings {
		loc := sarifPhysical{ArtifactLocation: sarifArtifact{URI: sarifURI(f.File)}}
		if f.Line > 0 {
			loc.Region = &sarifRegion{StartLine: f.Line}
		}
		results = append(results, sarifResult{
			RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity),
			Message:             sarifText{Text: f.Resource + ": " + f.Message + ". Fix: " + f.Fix},
			Locations:           []sarifLocation{{PhysicalLocation: loc}},
			PartialFingerprints: map[string]string{"wardFinding/v1": Fingerprint(f)},
		})
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// sarifURI turns a path into the relative, slash-separated URI code
// scanning matches against the repository.
func sarifURI(p string) string {
	if filepath.IsAbs(p) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
				return filepath.ToSlash(rel)
			}
		}
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
	}
	return strings.TrimPrefix(filepath.ToSlash(filepath.Clean(p)), "./")
}

// Fingerprint identifies a finding across runs without its line number, so
// edits that move code do not make an accepted finding new again.
func Fingerprint(f Finding) string {
	h := sha256.Sum256([]byte(f.Rule + "\x00" + filepath.ToSlash(filepath.Clean(f.File)) + "\x00" + f.Resource + "\x00" + f.Message))
	return hex.EncodeToString(h[:8])
}
