package main

import (
	"testing"

	"github.com/wardproject/ward/internal/testutil"
)

// TestNoAuditParsers: ward does not link the parsers of the audit verbs
// (they run in ward-audit): their package initialization would slow the
// start of every ward command, `ward run` first.
func TestNoAuditParsers(t *testing.T) {
	testutil.RequireNoDeps(t,
		"github.com/compose-spec/compose-go", "github.com/santhosh-tekuri/jsonschema", "k8s.io",
		"github.com/CycloneDX/cyclonedx-go",
		// the trust verbs' signature libraries (ward run reads only the
		// stored verification record)
		"github.com/sigstore", "github.com/secure-systems-lab")
}

// TestNoManGenerator: the man page generator (cobra/doc and its markdown
// libraries) is built only with the mangen tag, by make man.
func TestNoManGenerator(t *testing.T) {
	testutil.RequireNoDeps(t, "github.com/spf13/cobra/doc", "github.com/cpuguy83/go-md2man", "github.com/russross/blackfriday")
}
