package engine

import (
	"net/netip"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/network/store"
)

func TestParsePublish(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	for _, tc := range []struct {
		in   string
		want store.Port
		err  string
	}{
		{in: "8080:80", want: store.Port{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}},
		{in: "127.0.0.1:8080:80/udp", want: store.Port{HostIP: lo, HostPort: 8080, ContainerPort: 80, Proto: "udp"}},
		{in: "0.0.0.0:8080:80", want: store.Port{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}},
		{in: "80", want: store.Port{ContainerPort: 80, Proto: "tcp"}},
		{in: "127.0.0.1::80", want: store.Port{HostIP: lo, ContainerPort: 80, Proto: "tcp"}},
		{in: "80/TCP", want: store.Port{ContainerPort: 80, Proto: "tcp"}},
		{in: "8080:80/sctp", err: "protocol sctp"},
		{in: "8080:http", err: "container port http"},
		{in: "99999:80", err: "host port 99999"},
		{in: "0:80", err: "host port 0"},
		{in: "localhost:8080:80", err: "host address localhost"},
		{in: "::1:8080:80", err: "too many colons"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParsePublish(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "-p "+tc.in) {
					t.Fatalf("ParsePublish(%q) error %v, want one naming %q", tc.in, err, tc.err)
				}
				return
			}
			if err != nil || len(got) != 1 || got[0] != tc.want {
				t.Fatalf("ParsePublish(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestPlanNetwork(t *testing.T) {
	img := v1.Config{ExposedPorts: map[string]struct{}{"443/tcp": {}, "53/udp": {}}}
	for _, tc := range []struct {
		name    string
		mode    string
		req     NetworkRequest
		want    string // the plan's mode and network
		ports   int
		err     string
		warning bool
	}{
		{name: "default bridge", mode: "bridge", want: "bridge bridge"},
		{name: "docker's default", mode: "default", want: "bridge bridge"},
		{name: "user network", mode: "app", want: "bridge app"},
		{name: "none", mode: "none", want: "none "},
		{name: "empty is none", mode: "", want: "none "},
		{name: "host", mode: "host", want: "host "},
		{name: "container", mode: "container:web", want: "container "},
		{name: "container without a name", mode: "container:", err: "needs a container"},
		{name: "publish all", mode: "bridge", req: NetworkRequest{PublishAll: true, Publish: []string{"8080:80"}}, want: "bridge bridge", ports: 3},
		{name: "ports discarded on host", mode: "host", req: NetworkRequest{Publish: []string{"8080:80"}}, want: "host ", warning: true},
		{name: "policy with host", mode: "host", req: NetworkRequest{Egress: []string{"deny-all"}}, err: "--network host"},
		{name: "policy with container", mode: "container:web", req: NetworkRequest{Ingress: []string{"allow=10.0.0.1"}}, err: "the other container's"},
		{name: "deny-all with none", mode: "none", req: NetworkRequest{Egress: []string{"deny-all"}}, want: "none "},
		{name: "allow with none", mode: "none", req: NetworkRequest{Egress: []string{"allow=10.0.0.1"}}, err: "nothing to allow"},
		{name: "dns with none", mode: "none", req: NetworkRequest{Egress: []string{"allow=dns"}}, err: "nothing to allow"},
		{name: "bad egress", mode: "bridge", req: NetworkRequest{Egress: []string{"allow=10.0.0.0/40"}}, err: "--egress"},
		{name: "bad ingress", mode: "bridge", req: NetworkRequest{Ingress: []string{"deny-some"}}, err: "--ingress"},
		{name: "bad port", mode: "bridge", req: NetworkRequest{Publish: []string{"x:80"}}, err: "-p x:80"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			warned := false
			p, err := planNetwork(tc.mode, tc.req, img, func(string) { warned = true })
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.mode + " " + p.network; got != tc.want || len(p.ports) != tc.ports || warned != tc.warning {
				t.Errorf("plan %q with %d ports (warned %v), want %q with %d (warned %v)", got, len(p.ports), warned, tc.want, tc.ports, tc.warning)
			}
		})
	}
}

func TestPreviewNetwork(t *testing.T) {
	e := &Engine{Root: t.TempDir()}
	for _, tc := range []struct {
		mode, egress, wantEgress, wantPorts string
		publish                             []string
	}{
		{mode: "none", wantEgress: "deny-all"},
		{mode: "host", wantEgress: "allow-all"},
		{mode: "bridge", wantEgress: "allow-all", publish: []string{"127.0.0.1:8080:80", "53:53/udp"}, wantPorts: "0.0.0.0:53->53/udp, 127.0.0.1:8080->80/tcp"},
		{mode: "bridge", egress: "allow=10.0.0.0/8:443/tcp", wantEgress: "allow=10.0.0.0/8:443/tcp"},
	} {
		t.Run(tc.mode+" "+tc.egress, func(t *testing.T) {
			req := NetworkRequest{Publish: tc.publish}
			if tc.egress != "" {
				req.Egress = []string{tc.egress}
			}
			p, err := planNetwork(tc.mode, req, v1.Config{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			ns, ports := e.previewNetwork(p)
			if ns.Policy == nil || ns.Policy.Egress != tc.wantEgress || PortsText(ports) != tc.wantPorts {
				t.Errorf("preview: policy %+v, ports %q; want egress %q, ports %q", ns.Policy, PortsText(ports), tc.wantEgress, tc.wantPorts)
			}
		})
	}
}
