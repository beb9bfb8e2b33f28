package listing

import (
	"sort"
	"strconv"
	"strings"

	"github.com/wardproject/ward/internal/filter"
	"github.com/wardproject/ward/internal/volume"
)

// VolumeFilters are the keys `ward volume ls --filter` takes.
var VolumeFilters = []string{"dangling", "driver", "label", "name"}

// VolumeRow is one line of `docker volume ls --format`.
type VolumeRow struct {
	Name       string
	Driver     string
	Scope      string
	Mountpoint string
	Labels     string
	Links      string
	Size       string
	labels     map[string]string
}

// Label is one label's value.
func (r VolumeRow) Label(key string) string { return r.labels[key] }

// VolumeHeader titles volume ls's columns.
type VolumeHeader map[string]string

// Label is the column title of `{{.Label "KEY"}}`.
func (VolumeHeader) Label(string) string { return "LABEL" }

// VolumeHeaders are volume ls's column titles, as Docker's.
var VolumeHeaders = VolumeHeader{
	"Name": "VOLUME NAME", "Driver": "DRIVER", "Scope": "SCOPE", "Mountpoint": "MOUNTPOINT",
	"Labels": "LABELS", "Links": "LINKS", "Size": "SIZE",
}

// DefaultVolumeFormat is docker volume ls's table.
const DefaultVolumeFormat = "table {{.Driver}}\t{{.Name}}"

// NewVolumeRow makes a volume's row; users is how many containers use
// it.
func NewVolumeRow(v *volume.Volume, users int) VolumeRow {
	keys := make([]string, 0, len(v.Labels))
	for k, val := range v.Labels {
		keys = append(keys, k+"="+val)
	}
	sort.Strings(keys)
	return VolumeRow{
		Name: v.Name, Driver: v.Driver, Scope: v.Scope, Mountpoint: v.Mountpoint,
		Labels: strings.Join(keys, ","), Links: strconv.Itoa(users), Size: "N/A", labels: v.Labels,
	}
}

// VolumeMatch applies volume ls's --filter; used tells whether a
// container uses the volume.
func VolumeMatch(args filter.Args, v *volume.Volume, used bool) (bool, error) {
	for _, d := range args["dangling"] {
		b, err := filter.Bool("dangling", d)
		if err != nil {
			return false, err
		}
		if b == used {
			return false, nil
		}
	}
	if !args.Is("driver", v.Driver) || !args.Labels("label", v.Labels) {
		return false, nil
	}
	// name: a substring, as Docker's.
	if !args.Any("name", func(s string) bool { return strings.Contains(v.Name, s) }) {
		return false, nil
	}
	return true, nil
}
