package listing

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/docker/go-units"

	"github.com/wardproject/ward/internal/filter"
	"github.com/wardproject/ward/internal/image"
)

// ImageFilters are the keys `ward images --filter` takes.
var ImageFilters = []string{"reference", "dangling", "label", "before", "since"}

// ImageRow is one line of `docker images --format`.
type ImageRow struct {
	ID           string
	Repository   string
	Tag          string
	Digest       string
	CreatedSince string
	CreatedAt    string
	Size         string
	Containers   string
	VirtualSize  string
	SharedSize   string
	UniqueSize   string
}

// ImageHeaders are images' column titles, as Docker's.
var ImageHeaders = map[string]string{
	"ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST", "CreatedSince": "CREATED",
	"CreatedAt": "CREATED AT", "Size": "SIZE", "Containers": "CONTAINERS", "VirtualSize": "VIRTUAL SIZE",
	"SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE",
}

// DefaultImageFormat is docker images' table; with --digests the digest
// column follows the tag.
func DefaultImageFormat(digests bool) string {
	if digests {
		return "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
	}
	return "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
}

// ImageRows makes an image's rows: one per tag it has that keep
// accepts (nil accepts all), or one <none> row for an untagged image.
func ImageRows(img *image.Image, noTrunc bool, now time.Time, keep func(tag string) bool) []ImageRow {
	id := img.ShortID()
	if noTrunc {
		id = img.ID.String()
	}
	size := units.HumanSizeWithPrecision(float64(img.Size), 3)
	base := ImageRow{
		ID: id, CreatedAt: createdAt(img.Created), CreatedSince: createdSince(img.Created, now),
		Size: size, VirtualSize: size, Containers: "N/A", SharedSize: "N/A", UniqueSize: "N/A",
	}
	var rows []ImageRow
	for _, t := range img.RepoTags {
		if keep != nil && !keep(t) {
			continue
		}
		r := base
		r.Repository, r.Tag = image.SplitFamiliar(t)
		r.Digest = digestOf(img, r.Repository)
		rows = append(rows, r)
	}
	if len(img.RepoTags) == 0 {
		r := base
		r.Repository, r.Tag, r.Digest = "<none>", "<none>", "<none>"
		if len(img.RepoDigests) > 0 {
			r.Repository, r.Digest = image.SplitFamiliar(img.RepoDigests[0])
		}
		rows = append(rows, r)
	}
	return rows
}

func digestOf(img *image.Image, repo string) string {
	for _, d := range img.RepoDigests {
		if r, x := image.SplitFamiliar(d); r == repo {
			return x
		}
	}
	return "<none>"
}

func createdAt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04:05 -0700 MST")
}

func createdSince(t time.Time, now time.Time) string {
	if t.IsZero() {
		return "N/A"
	}
	return units.HumanDuration(now.UTC().Sub(t)) + " ago"
}

// ImageFilter applies images' --filter.
type ImageFilter struct {
	args          filter.Args
	dangling      *bool
	before, since *image.Image
}

// NewImageFilter checks the filters' values; before and since name
// images, which get finds.
func NewImageFilter(args filter.Args, get func(string) (*image.Image, error)) (*ImageFilter, error) {
	f := &ImageFilter{args: args}
	for _, v := range args["dangling"] {
		b, err := filter.Bool("dangling", v)
		if err != nil {
			return nil, err
		}
		f.dangling = &b
	}
	find := func(key string) (*image.Image, error) {
		vals := args[key]
		if len(vals) == 0 {
			return nil, nil
		}
		img, err := get(vals[len(vals)-1])
		if err != nil {
			return nil, fmt.Errorf("invalid filter '%s=%s': %w", key, vals[len(vals)-1], err)
		}
		return img, nil
	}
	var err error
	if f.before, err = find("before"); err != nil {
		return nil, err
	}
	if f.since, err = find("since"); err != nil {
		return nil, err
	}
	return f, nil
}

// NeedsLabels tells whether Match needs the images' labels.
func (f *ImageFilter) NeedsLabels() bool { return f.args.Has("label") }

// Match tells whether an image passes the filters other than reference,
// which applies to each tag (KeepTag).
func (f *ImageFilter) Match(img *image.Image, labels map[string]string) bool {
	if f.dangling != nil && (len(img.RepoTags) == 0) != *f.dangling {
		return false
	}
	if !f.args.Labels("label", labels) {
		return false
	}
	if f.before != nil && !img.Created.Before(f.before.Created) {
		return false
	}
	if f.since != nil && !img.Created.After(f.since.Created) {
		return false
	}
	if f.args.Has("reference") && !slices.ContainsFunc(img.RepoTags, f.KeepTag) {
		return false
	}
	return true
}

// KeepTag applies the reference filter to one tag: a pattern (with *
// and ?) matching the familiar repository, or repository:tag.
func (f *ImageFilter) KeepTag(tag string) bool {
	fam := image.Familiar(tag)
	repo, _ := image.SplitFamiliar(tag)
	return f.args.Any("reference", func(p string) bool {
		if strings.Contains(p, "@") {
			return false
		}
		return filter.Wildcard(p, fam) || filter.Wildcard(p, repo)
	})
}
