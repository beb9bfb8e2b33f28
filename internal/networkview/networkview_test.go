package networkview

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
)

// A root with no network recorded lists docker's three, with ward's
// default policies; names pick by name or ID prefix, and each one not
// found is an error naming it.
func TestViewsOfAFreshRoot(t *testing.T) {
	l := rootdir.Layout(filepath.Join(t.TempDir(), "root"))
	views, err := Views(l, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range views {
		got = append(got, v.Name+":"+v.Driver+":"+v.Policy.Egress)
		if !v.Builtin() {
			t.Errorf("%s is not builtin", v.Name)
		}
	}
	if want := "bridge:bridge:allow-all host:host:allow-all none:null:deny-all"; strings.Join(got, " ") != want {
		t.Errorf("views %v, want %s", got, want)
	}
	picked, err := Views(l, []string{"none", "nosuch", "host"})
	if len(picked) != 2 || picked[0].Name != "none" || picked[1].Name != "host" {
		t.Errorf("picked %v", picked)
	}
	if err == nil || err.Error() != "network nosuch not found" {
		t.Errorf("error %v, want network nosuch not found", err)
	}
}

func TestPickByIDPrefix(t *testing.T) {
	views := []View{{Name: "a", ID: "0123456789abcdef"}, {Name: "b", ID: "fedcba9876543210"}}
	if got, err := pick(views, []string{"fedc"}); err != nil || len(got) != 1 || got[0].Name != "b" {
		t.Errorf("by a 4-character prefix: %v, %v", got, err)
	}
	if _, err := pick(views, []string{"fed"}); err == nil {
		t.Error("a 3-character prefix picked a network")
	}
}

func TestRow(t *testing.T) {
	v := View{Name: "net1", ID: strings.Repeat("ab", 32), Driver: "bridge", Scope: "local", Internal: true,
		Created: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		IPAM:    IPAM{Config: []map[string]string{{"Subnet": "172.18.0.0/16"}}}, Policy: record.EffectivePolicy{Egress: "deny-all"}}
	r := v.row(false)
	if r.ID != strings.Repeat("ab", 6) || r.Subnet != "172.18.0.0/16" || r.Internal != "true" || r.Egress != "deny-all" || r.Builtin || r.CreatedAt == "" {
		t.Errorf("row %+v", r)
	}
	if r := v.row(true); len(r.ID) != 64 {
		t.Errorf("--no-trunc ID %q", r.ID)
	}
	if got := policyText([]string{"allow=10.0.0.0/8:53/udp", "allow=1.2.3.4"}); got != "allow=10.0.0.0/8:53/udp allow=1.2.3.4" {
		t.Errorf("policyText %q", got)
	}
	if got := policyText(nil); got != "allow-all" {
		t.Errorf("policyText(nil) %q", got)
	}
}
