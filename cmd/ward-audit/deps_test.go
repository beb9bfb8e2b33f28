package main

import (
	"testing"

	"github.com/wardproject/ward/internal/testutil"
)

// TestNoTrustLibraries: ward-audit, which judges every `ward run
// --policy`, does not link the signature libraries of the trust verbs
// (they run in ward-trust): they double its size and add to its start.
func TestNoTrustLibraries(t *testing.T) {
	testutil.RequireNoDeps(t, "github.com/sigstore", "github.com/secure-systems-lab", "google.golang.org/grpc")
}
