package events

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/filter"
)

func collect(t *testing.T, root string, since, until time.Time) []Event {
	t.Helper()
	var got []Event
	if err := Read(context.Background(), root, since, until, false, func(e Event) error {
		got = append(got, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestJournal(t *testing.T) {
	root := t.TempDir()
	if got := collect(t, root, time.Time{}, time.Time{}); len(got) != 0 {
		t.Fatalf("no journal yet: %v", got)
	}
	start := time.Now()
	Append(root, "container", "create", "abc", map[string]string{"name": "web", "image": "busybox", "tier": "db"})
	Append(root, "container", "die", "abc", map[string]string{"name": "web", "image": "busybox", "exitCode": "3"})
	Append(root, "volume", "create", "data", map[string]string{"driver": "local"})
	got := collect(t, root, start, time.Time{})
	if len(got) != 3 || got[0].Status != "create" || got[0].From != "busybox" || got[2].Status != "" || got[2].Scope != "local" {
		t.Fatalf("journal: %+v", got)
	}
	if txt := got[1].Text(); !strings.HasSuffix(txt, " container die abc (exitCode=3, image=busybox, name=web)") {
		t.Errorf("text: %q", txt)
	}
	if got := collect(t, root, time.Now().Add(time.Hour), time.Time{}); len(got) != 0 {
		t.Errorf("since the future: %v", got)
	}
	for _, tc := range []struct {
		filters []string
		want    int
	}{
		{[]string{"type=container"}, 2},
		{[]string{"container=web"}, 2},
		{[]string{"container=ab"}, 2},
		{[]string{"event=die"}, 1},
		{[]string{"label=tier=db"}, 1},
		{[]string{"image=busybox"}, 2},
		{[]string{"volume=data"}, 1},
		{[]string{"volume=web"}, 0},
	} {
		args, err := filter.Parse(tc.filters, Filters...)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range got {
			if Match(args, e) {
				n++
			}
		}
		if n != tc.want {
			t.Errorf("%v: %d events, want %d", tc.filters, n, tc.want)
		}
	}

	// Rotation keeps the latest events readable.
	old := MaxSize
	defer func() { MaxSize = old }()
	MaxSize = 1
	Append(root, "container", "destroy", "abc", nil)
	Append(root, "container", "create", "def", nil)
	if _, err := os.Stat(filepath.Join(root, File+".1")); err != nil {
		t.Fatalf("no rotation: %v", err)
	}
	if got := collect(t, root, start, time.Time{}); len(got) < 4 || got[len(got)-1].Actor.ID != "def" {
		t.Errorf("after rotation: %d events, last %+v", len(got), got[len(got)-1])
	}
}
