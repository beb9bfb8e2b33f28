package listing

import (
	"fmt"

	"github.com/docker/go-units"

	"github.com/wardproject/ward/internal/stats"
)

// StatsRow is one line of `docker stats --format`.
type StatsRow struct {
	Container string
	Name      string
	ID        string
	CPUPerc   string
	MemUsage  string
	MemPerc   string
	NetIO     string
	BlockIO   string
	PIDs      string
}

// StatsHeaders are docker stats' column titles.
var StatsHeaders = map[string]string{
	"Container": "CONTAINER", "Name": "NAME", "ID": "CONTAINER ID", "CPUPerc": "CPU %", "MemUsage": "MEM USAGE / LIMIT",
	"MemPerc": "MEM %", "NetIO": "NET I/O", "BlockIO": "BLOCK I/O", "PIDs": "PIDS",
}

// DefaultStatsFormat is docker stats' table.
const DefaultStatsFormat = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"

// NewStatsRow formats two samples of a container as Docker's CLI does;
// a container not running (cur nil) shows zeros, as Docker's.
func NewStatsRow(container, id, name string, prev, cur *stats.Sample) StatsRow {
	r := StatsRow{Container: container, ID: id, Name: name}
	if cur == nil {
		r.CPUPerc, r.MemPerc, r.PIDs = "0.00%", "0.00%", "0"
		r.MemUsage, r.NetIO, r.BlockIO = "0B / 0B", "0B / 0B", "0B / 0B"
		return r
	}
	cpu := 0.0
	if prev != nil {
		cpu = stats.CPUPercent(*prev, *cur)
	}
	mem := 0.0
	if cur.MemLimit > 0 {
		mem = float64(cur.MemUsage) / float64(cur.MemLimit) * 100
	}
	size := func(n uint64) string { return units.HumanSizeWithPrecision(float64(n), 3) }
	r.CPUPerc = fmt.Sprintf("%.2f%%", cpu)
	r.MemUsage = units.BytesSize(float64(cur.MemUsage)) + " / " + units.BytesSize(float64(cur.MemLimit))
	r.MemPerc = fmt.Sprintf("%.2f%%", mem)
	r.NetIO = size(cur.NetRx) + " / " + size(cur.NetTx)
	r.BlockIO = size(cur.BlockRead) + " / " + size(cur.BlockWrite)
	r.PIDs = fmt.Sprint(cur.PIDs)
	return r
}
