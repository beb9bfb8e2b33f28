package listing

import (
	"io"

	"github.com/wardproject/ward/internal/filter"
	"github.com/wardproject/ward/internal/format"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/rootdir"
)

// VolumeListOptions are `ward volume ls`'s flags.
type VolumeListOptions struct {
	Quiet   bool
	Format  string
	Filters []string
}

// Volumes prints `ward volume ls` of the volumes under l to out.
func Volumes(l rootdir.Layout, out io.Writer, o VolumeListOptions) error {
	args, err := filter.Parse(o.Filters, VolumeFilters...)
	if err != nil {
		return err
	}
	vols, err := open.Volumes(l)
	if err != nil {
		return err
	}
	list, err := vols.List()
	if err != nil {
		return err
	}
	users, err := open.VolumeUsers(l)
	if err != nil {
		return err
	}
	tmplText := o.Format
	if tmplText == "" {
		tmplText = DefaultVolumeFormat
	}
	if o.Quiet {
		tmplText = "{{.Name}}"
	}
	w, err := format.New(out, tmplText, VolumeHeaders)
	if err != nil {
		return err
	}
	for _, v := range list {
		ok, err := VolumeMatch(args, v, len(users[v.Name]) > 0)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := w.Write(NewVolumeRow(v, len(users[v.Name]))); err != nil {
			return err
		}
	}
	return w.Flush()
}
