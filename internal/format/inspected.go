package format

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/template"
)

// PrintInspected prints inspected objects as docker inspect does: one
// JSON array, or each object through the template; errs (objects not
// found) are reported after what was found is printed.
func PrintInspected[T any](out io.Writer, tmpl *template.Template, objs []T, errs []error) error {
	if tmpl != nil {
		for _, o := range objs {
			if err := Inspect(out, tmpl, o); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
	if objs == nil {
		objs = []T{}
	}
	data, err := json.MarshalIndent(objs, "", "    ")
	if err != nil {
		return err
	}
	fmt.Fprintln(out, string(data))
	return errors.Join(errs...)
}
