package containerview

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/wardproject/ward/internal/format"
	"github.com/wardproject/ward/internal/listing"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/stats"
)

// StatsOptions are `ward stats`'s flags and arguments.
type StatsOptions struct {
	All, NoStream, NoTrunc bool
	Format                 string
	Names                  []string // the containers named; none: the running ones (all with All)
}

// Stats prints `ward stats` of the containers under l to out: one
// reading with NoStream, else a table redrawn every second, as docker's,
// until an error ends it.
func Stats(l rootdir.Layout, out io.Writer, o StatsOptions) error {
	tmplText := o.Format
	if tmplText == "" {
		tmplText = listing.DefaultStatsFormat
	}
	records, err := record.OpenRecords(l.Containers())
	if err != nil {
		return err
	}
	// Which containers: those named, else the running ones (all with -a).
	pick := func() ([]*record.Container, error) {
		if len(o.Names) > 0 {
			var out []*record.Container
			for _, a := range o.Names {
				c, err := records.Find(a)
				if err != nil {
					return nil, err
				}
				out = append(out, c)
			}
			return out, nil
		}
		list, err := records.List()
		if err != nil {
			return nil, err
		}
		var out []*record.Container
		for _, c := range list {
			if o.All || c.State.Status == record.StatusRunning {
				out = append(out, c)
			}
		}
		return out, nil
	}
	named := map[string]string{}
	for _, a := range o.Names {
		if c, err := records.Find(a); err == nil {
			named[c.ID] = a
		}
	}
	prev := map[string]*stats.Sample{}
	if cs, err := pick(); err == nil {
		prev = sample(cs)
	}
	for {
		// Docker's CPU figure is the use over the last second.
		time.Sleep(time.Second)
		cs, err := pick()
		if err != nil {
			return err
		}
		cur := sample(cs)
		var buf bytes.Buffer
		w, err := format.New(&buf, tmplText, listing.StatsHeaders)
		if err != nil {
			return err
		}
		for _, c := range cs {
			id := c.ID[:12]
			if o.NoTrunc {
				id = c.ID
			}
			container := id // .Container: what the user named, else the ID
			if a, ok := named[c.ID]; ok {
				container = a
			}
			if err := w.Write(listing.NewStatsRow(container, id, c.ShortName(), prev[c.ID], cur[c.ID])); err != nil {
				return err
			}
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if o.NoStream {
			_, err := out.Write(buf.Bytes())
			return err
		}
		fmt.Fprint(out, "\033[2J\033[H") // as docker stats redraws its table
		out.Write(buf.Bytes())
		prev = cur
	}
}

// sample reads the running containers' counters, by container ID.
func sample(cs []*record.Container) map[string]*stats.Sample {
	out := map[string]*stats.Sample{}
	for _, c := range cs {
		if c.State.Status == record.StatusRunning && c.State.Pid > 0 {
			if s, err := stats.Read(c.State.Pid); err == nil {
				out[c.ID] = &s
			}
		}
	}
	return out
}
