// Package boundaries holds no code. Its tests draw the imports of the
// layout (docs/ARCHITECTURE.md) with `go list -deps`, so a boundary that
// the design relies on fails a test the day an import crosses it.
package boundaries
