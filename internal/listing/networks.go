package listing

import (
	"strings"

	"github.com/wardproject/ward/internal/filter"
)

// NetworkFilters are the keys `ward network ls --filter` takes.
var NetworkFilters = []string{"driver", "id", "label", "name", "scope", "type"}

// NetworkRow is one line of `docker network ls --format`, with ward's
// Subnet and Egress policy beside Docker's fields.
type NetworkRow struct {
	ID        string
	Name      string
	Driver    string
	Scope     string
	IPv6      string
	Internal  string
	Labels    string
	CreatedAt string
	Subnet    string
	Egress    string
	// Builtin marks bridge, host and none (the type=builtin filter).
	Builtin bool `json:"-"`
}

// Label is one label's value (ward's networks have none yet).
func (NetworkRow) Label(string) string { return "" }

// NetworkHeader titles network ls's columns.
type NetworkHeader map[string]string

// Label is the column title of `{{.Label "KEY"}}`.
func (NetworkHeader) Label(string) string { return "LABEL" }

// NetworkHeaders are network ls's column titles, as Docker's.
var NetworkHeaders = NetworkHeader{
	"ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Scope": "SCOPE", "IPv6": "IPV6",
	"Internal": "INTERNAL", "Labels": "LABELS", "CreatedAt": "CREATED AT", "Subnet": "SUBNET", "Egress": "EGRESS",
}

// DefaultNetworkFormat is ward's network ls table: Docker's columns but
// the scope, then the subnet and the egress policy.
const DefaultNetworkFormat = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Subnet}}\t{{.Egress}}"

// NetworkMatch applies network ls's --filter (name and id by prefix or
// substring, as Docker's).
func NetworkMatch(args filter.Args, r NetworkRow, fullID string) bool {
	if !args.Any("name", func(v string) bool { return strings.Contains(r.Name, v) }) {
		return false
	}
	if !args.Any("id", func(v string) bool { return fullID != "" && strings.HasPrefix(fullID, v) }) {
		return false
	}
	if !args.Is("driver", r.Driver) || !args.Is("scope", r.Scope) || !args.Labels("label", nil) {
		return false
	}
	return args.Any("type", func(v string) bool { return (v == "builtin") == r.Builtin && (v == "builtin" || v == "custom") })
}
