// Package report writes inventories (SBOMs) and scan findings in the
// formats people and tools read: CycloneDX, SPDX, JSON, SARIF, tables.
package report

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/wardproject/ward/internal/scan/inventory"
)

// SBOMFormats lists the formats WriteSBOM accepts.
var SBOMFormats = []string{"cyclonedx-json", "spdx-json", "json", "table"}

// toolName and toolVersion identify ward as the SBOM's author.
const (
	toolName    = "ward"
	toolVersion = "dev"
)

// WriteSBOM writes inv to w in format.
func WriteSBOM(w io.Writer, inv *inventory.Inventory, format string, now time.Time) error {
	switch format {
	case "cyclonedx-json":
		return writeCycloneDX(w, inv, now)
	case "spdx-json":
		return writeSPDX(w, inv, now)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(inv)
	case "table":
		return writeSBOMTable(w, inv)
	}
	return fmt.Errorf("unknown SBOM format %q (want one of %s)", format, strings.Join(SBOMFormats, ", "))
}

// packageRef is a stable identifier for p inside one document.
func packageRef(p inventory.Package) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s", p.Type, p.Name, p.Version, p.Arch, p.Location)
	return fmt.Sprintf("%s-%s-%x", p.Type, sanitizeRef(p.Name), h.Sum64())
}

var refUnsafe = regexp.MustCompile(`[^A-Za-z0-9.\-]+`)

func sanitizeRef(s string) string { return refUnsafe.ReplaceAllString(s, "-") }

func writeCycloneDX(w io.Writer, inv *inventory.Inventory, now time.Time) error {
	bom := cdx.NewBOM()
	bom.SerialNumber = "urn:uuid:" + newUUID()
	bom.Metadata = &cdx.Metadata{
		Timestamp: now.UTC().Format(time.RFC3339),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, Name: toolName, Version: toolVersion,
		}}},
		Component: &cdx.Component{BOMRef: "subject", Type: cdx.ComponentTypeContainer, Name: inv.Source},
	}
	if props := coverageProperties(inv.Coverage); len(props) > 0 {
		bom.Metadata.Properties = &props
	}
	comps := make([]cdx.Component, 0, len(inv.Packages)+1)
	if inv.Distro.ID != "" {
		comps = append(comps, cdx.Component{
			BOMRef: "os-" + sanitizeRef(inv.Distro.ID), Type: cdx.ComponentTypeOS,
			Name: inv.Distro.ID, Version: inv.Distro.VersionID, Description: inv.Distro.PrettyName,
		})
	}
	for _, p := range inv.Packages {
		c := cdx.Component{
			BOMRef: packageRef(p), Type: cdx.ComponentTypeLibrary,
			Name: p.Name, Version: p.Version, PackageURL: p.PURL,
		}
		if len(p.Licenses) > 0 {
			ls := cdx.Licenses{}
			for _, l := range p.Licenses {
				ls = append(ls, cdx.LicenseChoice{License: &cdx.License{Name: l}})
			}
			c.Licenses = &ls
		}
		props := []cdx.Property{{Name: "ward:package:type", Value: string(p.Type)}, {Name: "ward:location", Value: p.Location}}
		if p.SourceName != "" {
			props = append(props, cdx.Property{Name: "ward:package:sourceName", Value: p.SourceName})
		}
		if p.SourceVersion != "" {
			props = append(props, cdx.Property{Name: "ward:package:sourceVersion", Value: p.SourceVersion})
		}
		if p.Arch != "" {
			props = append(props, cdx.Property{Name: "ward:package:arch", Value: p.Arch})
		}
		if p.Layer != "" {
			props = append(props, cdx.Property{Name: "ward:layer", Value: p.Layer})
		}
		c.Properties = &props
		comps = append(comps, c)
	}
	bom.Components = &comps
	return cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON).SetPretty(true).EncodeVersion(bom, cdx.SpecVersion1_5)
}

// SPDX 2.3 JSON, written directly: the document is small and fixed.
type spdxDocument struct {
	SPDXVersion       string             `json:"spdxVersion"`
	DataLicense       string             `json:"dataLicense"`
	SPDXID            string             `json:"SPDXID"`
	Name              string             `json:"name"`
	DocumentNamespace string             `json:"documentNamespace"`
	CreationInfo      spdxCreationInfo   `json:"creationInfo"`
	Packages          []spdxPackage      `json:"packages"`
	Relationships     []spdxRelationship `json:"relationships"`
}

type spdxCreationInfo struct {
	Created  string   `json:"created"`
	Creators []string `json:"creators"`
	Comment  string   `json:"comment,omitempty"`
}

type spdxPackage struct {
	SPDXID                string            `json:"SPDXID"`
	Name                  string            `json:"name"`
	VersionInfo           string            `json:"versionInfo,omitempty"`
	DownloadLocation      string            `json:"downloadLocation"`
	FilesAnalyzed         bool              `json:"filesAnalyzed"`
	LicenseConcluded      string            `json:"licenseConcluded"`
	LicenseDeclared       string            `json:"licenseDeclared"`
	CopyrightText         string            `json:"copyrightText"`
	LicenseComments       string            `json:"licenseComments,omitempty"`
	SourceInfo            string            `json:"sourceInfo,omitempty"`
	PrimaryPackagePurpose string            `json:"primaryPackagePurpose,omitempty"`
	ExternalRefs          []spdxExternalRef `json:"externalRefs,omitempty"`
}

type spdxExternalRef struct {
	ReferenceCategory string `json:"referenceCategory"`
	ReferenceType     string `json:"referenceType"`
	ReferenceLocator  string `json:"referenceLocator"`
}

type spdxRelationship struct {
	SPDXElementID      string `json:"spdxElementId"`
	RelationshipType   string `json:"relationshipType"`
	RelatedSPDXElement string `json:"relatedSpdxElement"`
}

func writeSPDX(w io.Writer, inv *inventory.Inventory, now time.Time) error {
	doc := spdxDocument{
		SPDXVersion: "SPDX-2.3", DataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT",
		Name:              inv.Source,
		DocumentNamespace: "https://spdx.wardproject.invalid/" + sanitizeRef(inv.Source) + "-" + newUUID(),
		CreationInfo: spdxCreationInfo{
			Created:  now.UTC().Format(time.RFC3339),
			Creators: []string{"Tool: " + toolName + "-" + toolVersion},
		},
		Packages:      []spdxPackage{},
		Relationships: []spdxRelationship{},
	}
	if c := inv.Coverage; c != nil {
		doc.CreationInfo.Comment = "ward coverage: " + c.Summary()
		for _, g := range c.Gaps() {
			doc.CreationInfo.Comment += "\nnot covered: " + g
		}
	}
	if inv.Distro.ID != "" {
		id := "SPDXRef-OperatingSystem-" + sanitizeRef(inv.Distro.ID)
		doc.Packages = append(doc.Packages, spdxPackage{
			SPDXID: id, Name: inv.Distro.ID, VersionInfo: inv.Distro.VersionID,
			DownloadLocation: "NOASSERTION", LicenseConcluded: "NOASSERTION", LicenseDeclared: "NOASSERTION",
			CopyrightText: "NOASSERTION", PrimaryPackagePurpose: "OPERATING_SYSTEM",
		})
		doc.Relationships = append(doc.Relationships, spdxRelationship{"SPDXRef-DOCUMENT", "DESCRIBES", id})
	}
	for _, p := range inv.Packages {
		id := "SPDXRef-Package-" + packageRef(p)
		// Package databases name licenses in their own words (Debian's
		// "GPL-2+", apk's "MIT BSD"), not SPDX expressions: they go in a
		// comment rather than make licenseDeclared wrong.
		declared, comment := "NOASSERTION", ""
		if len(p.Licenses) > 0 {
			comment = "licenses as the package database records them: " + strings.Join(p.Licenses, "; ")
		}
		sp := spdxPackage{
			SPDXID: id, Name: p.Name, VersionInfo: p.Version, DownloadLocation: "NOASSERTION",
			LicenseConcluded: "NOASSERTION", LicenseDeclared: declared, LicenseComments: comment, CopyrightText: "NOASSERTION",
			SourceInfo:            "acquired package info from " + p.Location,
			PrimaryPackagePurpose: "LIBRARY",
			ExternalRefs:          []spdxExternalRef{{"PACKAGE-MANAGER", "purl", p.PURL}},
		}
		if p.SourceName != "" {
			sp.SourceInfo += fmt.Sprintf("; built from source package %s %s", p.SourceOrName(), p.SourceOrVersion())
		}
		doc.Packages = append(doc.Packages, sp)
		doc.Relationships = append(doc.Relationships, spdxRelationship{"SPDXRef-DOCUMENT", "DESCRIBES", id})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func writeSBOMTable(w io.Writer, inv *inventory.Inventory) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if inv.Distro.ID != "" {
		fmt.Fprintf(tw, "# %s %s\n", inv.Distro.ID, inv.Distro.VersionID)
	}
	fmt.Fprintln(tw, "NAME\tVERSION\tTYPE\tSOURCE\tLAYER")
	for _, p := range inv.Packages {
		src := ""
		if p.SourceName != "" || p.SourceVersion != "" {
			src = p.SourceOrName() + " " + p.SourceOrVersion()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Name, p.Version, p.Type, src, shortDigest(p.Layer))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	writeCoverageText(w, inv.Coverage)
	return nil
}

// shortDigest keeps a digest readable in a table: algorithm and 12 hex digits.
func shortDigest(d string) string {
	if alg, hex, ok := strings.Cut(d, ":"); ok && len(hex) > 12 {
		return alg + ":" + hex[:12]
	}
	return d
}

// newUUID returns a random (version 4) UUID for document identifiers.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
