package workload

import (
	"os"
	"path/filepath"
	"testing"
)

func TestNetworkPolicy(t *testing.T) {
	for _, tc := range []struct {
		file string
		read func(string, []byte) ([]Workload, error)
		want map[string]string // resource -> egress state
	}{
		{"compose.yaml", ReadCompose, map[string]string{
			"service web":     EgressAllowAll,   // front is not internal
			"service api":     EgressRestricted, // back is internal
			"service batch":   EgressNone,
			"service plain":   EgressAllowAll, // the default network
			"service sidecar": EgressUnknown,  // another service's network
		}},
		{"manifests.yaml", ReadKubernetes, map[string]string{
			"Deployment/web container nginx":   EgressRestricted, // web-egress selects tier=front in shop
			"Deployment/db container postgres": EgressAllowAll,   // an ingress-only policy
			"Pod/debug container shell":        EgressAllowAll,   // a policy that allows everything
			"Pod/elsewhere container shell":    EgressAllowAll,   // the policy is in another namespace
		}},
		{"inspect.json", ReadInspect, map[string]string{
			"container docker-default":  EgressAllowAll,
			"container ward-restricted": EgressRestricted,
			"container ward-open":       EgressAllowAll,
			"container isolated":        EgressNone,
			"container on-host":         EgressAllowAll,
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", "network", tc.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			ws, err := tc.read(path, data)
			if err != nil {
				t.Fatal(err)
			}
			if len(ws) != len(tc.want) {
				t.Fatalf("%d workloads, want %d", len(ws), len(tc.want))
			}
			for _, w := range ws {
				want, ok := tc.want[w.Resource]
				if !ok {
					t.Errorf("unexpected workload %q", w.Resource)
					continue
				}
				if w.Network.Egress != want {
					t.Errorf("%s: egress %q (%s), want %q", w.Resource, w.Network.Egress, w.Network.Detail, want)
				}
				if w.Network.Egress != EgressUnknown && (w.Network.Detail == "" || w.Network.Line == 0) {
					t.Errorf("%s: no detail or line: %+v", w.Resource, w.Network)
				}
			}
		})
	}
}
