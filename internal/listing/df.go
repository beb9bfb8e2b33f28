package listing

import (
	"fmt"

	"github.com/docker/go-units"
)

// DiskUsageRow is one line of `docker system df`.
type DiskUsageRow struct {
	Type        string
	TotalCount  string
	Active      string
	Size        string
	Reclaimable string
}

// DiskUsageHeaders are system df's column titles, as Docker's.
var DiskUsageHeaders = map[string]string{
	"Type": "TYPE", "TotalCount": "TOTAL", "Active": "ACTIVE", "Size": "SIZE", "Reclaimable": "RECLAIMABLE",
}

// DefaultDiskUsageFormat is docker system df's table.
const DefaultDiskUsageFormat = "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}"

// NewDiskUsageRow makes a row as Docker's formatter does: sizes in
// go-units' human form, the reclaimable share as a whole percentage.
func NewDiskUsageRow(typ string, total, active int, size, reclaimable int64) DiskUsageRow {
	r := DiskUsageRow{
		Type: typ, TotalCount: fmt.Sprint(total), Active: fmt.Sprint(active),
		Size: units.HumanSize(float64(size)), Reclaimable: units.HumanSize(float64(reclaimable)),
	}
	if size > 0 {
		r.Reclaimable = fmt.Sprintf("%s (%d%%)", r.Reclaimable, reclaimable*100/size)
	}
	return r
}
