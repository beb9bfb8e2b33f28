package events

import (
	"strings"

	"github.com/wardproject/ward/internal/filter"
)

// Filters are the keys `ward events --filter` takes.
var Filters = []string{"container", "event", "image", "label", "type", "volume", "network"}

// Match applies docker events' filters: container (name or ID prefix),
// event (the action), image, label (on the attributes), type, volume
// and network (the actor's name or ID).
func Match(args filter.Args, e Event) bool {
	name := e.Actor.Attributes["name"]
	actor := func(typ string) func(string) bool {
		return func(v string) bool {
			return e.Type == typ && (v == name || v != "" && strings.HasPrefix(e.Actor.ID, v))
		}
	}
	if args.Has("container") && !args.Any("container", actor("container")) {
		return false
	}
	if args.Has("volume") && !args.Any("volume", actor("volume")) {
		return false
	}
	if args.Has("network") && !args.Any("network", actor("network")) {
		return false
	}
	if !args.Is("event", e.Action) || !args.Is("type", e.Type) || !args.Labels("label", e.Actor.Attributes) {
		return false
	}
	return args.Any("image", func(v string) bool {
		img := e.Actor.Attributes["image"]
		return img == v || img == v+":latest" || e.Type == "image" && (name == v || e.Actor.ID == v)
	})
}
