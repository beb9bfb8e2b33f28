package listing

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/rootdir"
)

// A root with one unused volume holding 5 bytes: docker's four rows,
// the volume's size all reclaimable.
func TestDiskUsage(t *testing.T) {
	l := rootdir.Layout(filepath.Join(t.TempDir(), "root"))
	vols, err := open.Volumes(l)
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := vols.Create("data", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(v.Mountpoint, "f"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, err := DiskUsage(l)
	if err != nil {
		t.Fatal(err)
	}
	want := []DiskUsageRow{
		NewDiskUsageRow("Images", 0, 0, 0, 0),
		NewDiskUsageRow("Containers", 0, 0, 0, 0),
		NewDiskUsageRow("Local Volumes", 1, 0, 5, 5),
		NewDiskUsageRow("Build Cache", 0, 0, 0, 0),
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %+v", rows)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d: %+v, want %+v", i, rows[i], want[i])
		}
	}
}
