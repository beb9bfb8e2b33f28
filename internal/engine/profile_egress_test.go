package engine

import (
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// A learned profile's egress is an --egress on a bridge or user network,
// below the command line's own; host, none and container: networks get
// no policy from it (and no error: ward refuses a policy there).
func TestProfileEgress(t *testing.T) {
	e := &Engine{Root: t.TempDir()}
	const learned = "allow=dns,10.88.0.1:8080/tcp"
	for _, tc := range []struct {
		mode, egress, want string
	}{
		{mode: "bridge", want: learned},
		{mode: "bridge", egress: "deny-all", want: "deny-all"},
		{mode: "host", want: "allow-all"},
		{mode: "none", want: "deny-all"},
	} {
		t.Run(tc.mode+" "+tc.egress, func(t *testing.T) {
			req := NetworkRequest{ProfileEgress: learned}
			if tc.egress != "" {
				req.Egress = []string{tc.egress}
			}
			p, err := planNetwork(tc.mode, req, v1.Config{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			ns, _ := e.previewNetwork(p)
			if ns.Policy == nil || ns.Policy.Egress != tc.want {
				t.Errorf("egress %+v, want %q", ns.Policy, tc.want)
			}
		})
	}
	for _, mode := range []string{"app", "container:web"} {
		p, err := planNetwork(mode, NetworkRequest{ProfileEgress: learned}, v1.Config{}, nil)
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		applied := len(p.egress) == 1 && p.egress[0] == learned
		if applied != (mode == "app") {
			t.Errorf("--network %s: egress %v", mode, p.egress)
		}
	}
}
