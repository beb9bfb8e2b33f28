package report

import (
	"fmt"
	"io"
	"strconv"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/wardproject/ward/internal/sarif"
	"github.com/wardproject/ward/internal/scan/inventory"
)

// Every report says what it covered, so that no format can be read as
// "clean" where ward was blind: tables print a coverage line and one line
// per gap, JSON carries the coverage object, CycloneDX its properties,
// SPDX a creation comment, SARIF run properties and one result per gap.

// writeCoverageText prints the coverage line and one line per gap.
func writeCoverageText(w io.Writer, c *inventory.Coverage) {
	if c == nil {
		return
	}
	fmt.Fprintf(w, "Coverage: %s\n", c.Summary())
	for _, g := range c.Gaps() {
		fmt.Fprintf(w, "  not covered: %s\n", g)
	}
}

// coverageProperties are the CycloneDX metadata properties of c.
func coverageProperties(c *inventory.Coverage) []cdx.Property {
	if c == nil {
		return nil
	}
	complete := "complete"
	if !c.Complete() {
		complete = "incomplete"
	}
	props := []cdx.Property{
		{Name: "ward:coverage", Value: complete},
		{Name: "ward:coverage:distro", Value: fmt.Sprintf("%s %s %s", c.Distro.Name(), orDash(c.Distro.Ecosystem), c.Distro.Status)},
	}
	for _, e := range c.Ecosystems {
		props = append(props, cdx.Property{Name: "ward:coverage:ecosystem:" + string(e.Type),
			Value: fmt.Sprintf("%s %s packages=%s", e.Status, orDash(e.Ecosystem), strconv.Itoa(e.Packages))})
	}
	for _, g := range c.Gaps() {
		props = append(props, cdx.Property{Name: "ward:coverage:gap", Value: g})
	}
	return props
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// UncoveredRule is the SARIF rule of a coverage gap.
const UncoveredRule = "ward-uncovered"

// coverageSARIF adds c to a SARIF run: a property bag, and one error
// result per gap (a scan that could not see is not a passing scan).
func coverageSARIF(run *sarif.Run, c *inventory.Coverage, location string) {
	if c == nil {
		return
	}
	run.Properties = map[string]any{"coverage": c, "coverageComplete": c.Complete()}
	gaps := c.Gaps()
	if len(gaps) == 0 {
		return
	}
	index := len(run.Tool.Driver.Rules)
	run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarif.Rule{
		ID: UncoveredRule, ShortDescription: sarif.Text{Text: "Packages or package files that no advisory was compared with"},
		Properties: map[string]any{"security-severity": sarif.SecuritySeverity(3)},
	})
	for _, g := range gaps {
		run.Results = append(run.Results, sarif.Result{RuleID: UncoveredRule, RuleIndex: index, Level: "error",
			Message: sarif.Text{Text: "not covered: " + g}, Locations: []sarif.Location{sarif.At(location, 0)}})
	}
}
