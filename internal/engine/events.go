package engine

import (
	"maps"

	"github.com/wardproject/ward/internal/events"
	"github.com/wardproject/ward/internal/record"
)

// event appends a container event to the journal `ward events` reads,
// with Docker's attributes (image, name, the labels) and extra ones. A
// journal that cannot be written is a warning, never the action's
// failure.
func (e *Engine) event(action string, c *record.Container, extra map[string]string) {
	attrs := map[string]string{"image": c.Config.Image, "name": c.ShortName()}
	maps.Copy(attrs, c.Config.Labels)
	maps.Copy(attrs, extra)
	if err := events.Append(e.Root, "container", action, c.ID, attrs); err != nil {
		e.warn(err.Error())
	}
}

// VolumeEvent appends a volume event (create, destroy, mount).
func VolumeEvent(root, action, name string, attrs map[string]string) {
	if attrs == nil {
		attrs = map[string]string{}
	}
	attrs["driver"] = "local"
	events.Append(root, "volume", action, name, attrs)
}
