package container

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// TestWriteEventsOfMissingContainer: no event is written for a container
// that does not exist, and the error says so.
func TestWriteEventsOfMissingContainer(t *testing.T) {
	var buf bytes.Buffer
	err := WriteEvents(&buf, t.TempDir(), "nothere", false, time.Millisecond)
	if !errors.Is(err, ErrNotExist) || buf.Len() != 0 {
		t.Errorf("WriteEvents(missing) = %v, wrote %q", err, buf.String())
	}
}
