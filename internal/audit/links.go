package audit

import "strings"

// DocsBaseURL is where ward's documentation is published; every finding
// links to its rule there (docs/RULES.md#wdNNN). A distribution sets its
// own at build time:
//
//	go build -ldflags "-X github.com/wardproject/ward/internal/audit.DocsBaseURL=https://example.com/ward/" ./cmd/...
var DocsBaseURL = "https://github.com/wardproject/ward/blob/main/"

// RuleURL is the page of rule id: DocsBaseURL joined with
// docs/RULES.md#wdNNN, the anchor docs/RULES.md gives each rule.
func RuleURL(id string) string {
	return strings.TrimSuffix(DocsBaseURL, "/") + "/docs/RULES.md#" + strings.ToLower(id)
}
