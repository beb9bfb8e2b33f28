package open

import (
	"errors"
	"fmt"
	"io"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
)

// Each applies fn to each container names gives (stop, kill, pause, rm
// ...), printing the name as the user gave it to out on success, as
// docker does, and going on after a failure: the failures are returned
// together.
func Each(l rootdir.Layout, names []string, out io.Writer, fn func(*engine.Engine, *record.Container) error) error {
	var errs []error
	for _, what := range names {
		e, c, err := Container(l, what)
		if err == nil {
			err = fn(e, c)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintln(out, what)
	}
	return errors.Join(errs...)
}
