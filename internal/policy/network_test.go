package policy

import (
	"slices"
	"testing"

	"github.com/wardproject/ward/internal/workload"
)

// The restricted profile wants an egress policy: --egress or --network
// none satisfy it; baseline does not judge egress.
func TestRestrictedWantsEgressPolicy(t *testing.T) {
	hardened := func(egress string) workload.Workload {
		w := docker()
		w.User.Name = "1000"
		w.Capabilities, w.CapAdd, w.DropAll = workload.EffectiveCapabilities([]string{"NET_BIND_SERVICE"}, []string{"ALL"})
		w.NoNewPrivileges, w.ReadOnlyRootfs = true, true
		w.Network = workload.NetworkPolicy{Egress: egress, Detail: "network bridge with no egress policy"}
		return w
	}
	for _, tc := range []struct {
		profile, egress string
		refused         bool
	}{
		{"restricted", workload.EgressAllowAll, true},
		{"restricted", workload.EgressRestricted, false},
		{"restricted", workload.EgressNone, false},
		{"baseline", workload.EgressAllowAll, false},
	} {
		t.Run(tc.profile+" "+tc.egress, func(t *testing.T) {
			p, err := Lookup(tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range Evaluate(p, hardened(tc.egress)) {
				got = append(got, f.Rule)
			}
			if refused := slices.Contains(got, "WD171"); refused != tc.refused || len(got) > 1 {
				t.Errorf("violations %v, want WD171 alone: %v", got, tc.refused)
			}
		})
	}
}
