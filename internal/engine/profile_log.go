package engine

import (
	"fmt"
	"io"

	"github.com/wardproject/ward/internal/profilewatch"
	"github.com/wardproject/ward/internal/record"
)

// watchProfileDenials watches a container run in the foreground whose
// filter lets the calls outside its allow-list through and logs them
// (--profile-mode log; internal/profilewatch), reading the spec the
// runtime will receive, and reports each such call once on notices and
// in the records directory. stop reads the map a last time and detaches.
// A container without such a filter gets a stop that does nothing. (A
// detached container's monitor runs ward-observe for the same.)
func (e *Engine) watchProfileDenials(c *record.Container, notices io.Writer) (stop func(), err error) {
	spec, err := profilewatch.LogModeSpec(e.BundleDir(c.ID))
	if err != nil {
		return nil, err
	}
	if spec == nil { // not in log mode
		return func() {}, nil
	}
	if notices == nil {
		notices = io.Discard
	}
	w, err := profilewatch.Start(spec, e.Records.Dir(c.ID), c.ShortName(), notices)
	if err != nil {
		return nil, err
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		w.Run(done)
	}()
	return func() {
		close(done)
		<-finished
		// Never say clean about what was not seen.
		if !w.Stop() {
			gap := "the observer never saw the workload's exec"
			fmt.Fprintf(notices, "ward: container %s: --profile-mode log: %s: calls outside the profile are unknown\n", c.ShortName(), gap)
			record.AddProfileDenialGaps(e.Records.Dir(c.ID), gap)
		}
	}, nil
}
