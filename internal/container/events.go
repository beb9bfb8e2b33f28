package container

import (
	"encoding/json"
	"io"
	"time"
)

// WriteEvents writes the container's resource usage to w as runc events
// does: one JSON stats event, then (unless once) another every interval,
// until reading the stats fails, as it does once the container stops.
func WriteEvents(w io.Writer, root, id string, once bool, interval time.Duration) error {
	enc := json.NewEncoder(w)
	for {
		s, err := Stats(root, id)
		if err != nil {
			return err
		}
		if err := enc.Encode(map[string]any{"type": "stats", "id": id, "data": s}); err != nil {
			return err
		}
		if once {
			return nil
		}
		time.Sleep(interval)
	}
}
