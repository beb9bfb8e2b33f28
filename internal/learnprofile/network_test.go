package learnprofile

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/wardproject/ward/internal/network/netpolicy"
)

func withNetwork(t *testing.T) *Profile {
	p := valid(t)
	p.Network = &Network{
		Destinations: []Destination{
			{Address: "10.88.0.1", Port: 8080, Protocol: "tcp"},
			{Address: "10.88.0.1", Port: 8080, Protocol: "tcp"}, // twice: once in the policy
			{Address: "fd00::7", Port: 443, Protocol: "tcp"},
			{Address: "10.255.255.53", Port: 53, Protocol: "udp", DNS: true},
			{Address: "127.0.0.1", Port: 9000, Protocol: "tcp"}, // inside the container: not egress
		},
		Listening: []Listener{
			{Address: "0.0.0.0", Port: 8080, Protocol: "tcp"},
			{Address: "::", Port: 8080, Protocol: "tcp"},
			{Address: "0.0.0.0", Port: 5353, Protocol: "udp"},
			{Address: "127.0.0.1", Port: 6060, Protocol: "tcp"}, // loopback only: nothing to publish
		},
	}
	return p
}

// The egress is what `ward run --egress` parses back into exactly the
// destinations seen, resolvers as dns, loopback left out.
func TestEgress(t *testing.T) {
	p := valid(t)
	if e := p.Egress(); e != "" {
		t.Errorf("a profile without a network section gives egress %q: it must claim nothing", e)
	}
	p.Network = &Network{Destinations: []Destination{{Address: "127.0.0.1", Port: 1, Protocol: "tcp"}}}
	if e := p.Egress(); e != "deny-all" {
		t.Errorf("no destination outside the container: egress %q, want deny-all", e)
	}
	p = withNetwork(t)
	e := p.Egress()
	if e != "allow=dns,10.88.0.1:8080/tcp,[fd00::7]:443/tcp" {
		t.Errorf("egress %q", e)
	}
	pol, err := netpolicy.ParseEgress([]string{e})
	if err != nil || !pol.Restricted || !pol.DNS || len(pol.Rules) != 2 {
		t.Errorf("--egress %s parses into %+v, %v", e, pol, err)
	}
	if ports := p.Ports(); !slices.Equal(ports, []string{"5353:5353/udp", "8080:8080"}) {
		t.Errorf("ports %v", ports)
	}
	flags := strings.Join(p.Flags("s.json"), " ")
	if !strings.Contains(flags, "--egress "+e) || !strings.HasSuffix(flags, "-p 5353:5353/udp -p 8080:8080") {
		t.Errorf("flags %s", flags)
	}
	for network, keeps := range map[string]bool{"": true, "bridge": true, "app": true, "host": false, "none": false, "container:db": false} {
		on := strings.Join(p.FlagsOn("s.json", network), " ")
		if strings.Contains(on, "--egress") != keeps || !strings.Contains(on, "--security-opt seccomp=s.json") || !strings.Contains(on, "-p 8080:8080") {
			t.Errorf("flags on --network %q: %s (want --egress: %v)", network, on, keeps)
		}
	}
	if l := p.Listening(); !strings.Contains(l, "8080/tcp on 0.0.0.0") || !strings.Contains(l, "5353/udp on 0.0.0.0") {
		t.Errorf("listening %q", l)
	}
}

func TestNetworkRoundTripAndRefusals(t *testing.T) {
	data, err := json.Marshal(withNetwork(t))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(data)
	if err != nil || got.Network == nil || len(got.Network.Destinations) != 5 || !got.Network.Destinations[3].DNS {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	// A version-1 profile without the section stays valid and says nothing.
	if got, err := Parse([]byte(`{"wardProfile":1,"image":"sha256:ab","seccomp":{"defaultAction":"SCMP_ACT_ERRNO"}}`)); err != nil || got.Network != nil {
		t.Errorf("profile without network: %+v, %v", got, err)
	}
	for name, d := range map[string]Destination{
		"a name":         {Address: "example.com", Port: 80, Protocol: "tcp"},
		"port 0":         {Address: "10.0.0.1", Port: 0, Protocol: "tcp"},
		"another proto":  {Address: "10.0.0.1", Port: 80, Protocol: "sctp"},
		"empty protocol": {Address: "10.0.0.1", Port: 80},
	} {
		p := valid(t)
		p.Network = &Network{Destinations: []Destination{d}}
		data, _ := json.Marshal(p)
		if _, err := Parse(data); err == nil {
			t.Errorf("Parse accepted a destination with %s", name)
		}
		p.Network = &Network{Listening: []Listener{{d.Address, d.Port, d.Protocol}}}
		data, _ = json.Marshal(p)
		if _, err := Parse(data); err == nil {
			t.Errorf("Parse accepted a listener with %s", name)
		}
	}
}

func TestComposeNetwork(t *testing.T) {
	p := withNetwork(t)
	out, err := p.ComposeService("app", "s.json")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Services map[string]struct {
			Ports  []string `yaml:"ports"`
			Egress string   `yaml:"x-ward-egress"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	s := got.Services["app"]
	if !slices.Equal(s.Ports, []string{"5353:5353/udp", "8080:8080"}) || s.Egress != p.Egress() ||
		!strings.HasPrefix(string(out), "# compose has no egress policy") {
		t.Errorf("compose:\n%s", out)
	}
}

func TestKubernetesNetwork(t *testing.T) {
	p := withNetwork(t)
	out, err := p.KubernetesContainer("app", "ward/s.json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Containers []struct {
			Ports []struct {
				ContainerPort int    `yaml:"containerPort"`
				Protocol      string `yaml:"protocol"`
			} `yaml:"ports"`
		} `yaml:"containers"`
	}
	if err := yaml.Unmarshal(out, &c); err != nil || len(c.Containers) != 1 || len(c.Containers[0].Ports) != 2 ||
		c.Containers[0].Ports[0].ContainerPort != 5353 || c.Containers[0].Ports[0].Protocol != "UDP" ||
		c.Containers[0].Ports[1].ContainerPort != 8080 || c.Containers[0].Ports[1].Protocol != "TCP" {
		t.Errorf("container ports, %v:\n%s", err, out)
	}

	out, err = p.KubernetesNetworkPolicy("My_App")
	if err != nil {
		t.Fatal(err)
	}
	var np struct {
		Kind     string `yaml:"kind"`
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		Spec struct {
			PodSelector struct {
				MatchLabels map[string]string `yaml:"matchLabels"`
			} `yaml:"podSelector"`
			PolicyTypes []string `yaml:"policyTypes"`
			Egress      []struct {
				To []struct {
					IPBlock     map[string]string `yaml:"ipBlock"`
					PodSelector struct {
						MatchLabels map[string]string `yaml:"matchLabels"`
					} `yaml:"podSelector"`
				} `yaml:"to"`
				Ports []struct {
					Protocol string `yaml:"protocol"`
					Port     int    `yaml:"port"`
				} `yaml:"ports"`
			} `yaml:"egress"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(out, &np); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	eg := np.Spec.Egress
	if np.Kind != "NetworkPolicy" || np.Metadata.Name != "my-app-egress" || np.Spec.PodSelector.MatchLabels[PodLabel] != "my_app" ||
		!slices.Equal(np.Spec.PolicyTypes, []string{"Egress"}) || len(eg) != 3 ||
		eg[0].To[0].IPBlock["cidr"] != "10.88.0.1/32" || eg[0].Ports[0].Port != 8080 || eg[0].Ports[0].Protocol != "TCP" ||
		eg[1].To[0].IPBlock["cidr"] != "fd00::7/128" || eg[1].Ports[0].Port != 443 ||
		eg[2].To[0].PodSelector.MatchLabels["k8s-app"] != "kube-dns" || eg[2].Ports[0].Port != 53 ||
		!strings.Contains(string(out), "namespaceSelector: {}") {
		t.Errorf("network policy:\n%s", out)
	}

	// Nothing seen: a policy that allows no egress; no section: no policy.
	p.Network = &Network{}
	if out, err := p.KubernetesNetworkPolicy("app"); err != nil || !strings.Contains(string(out), "egress: []") {
		t.Errorf("deny-all policy, %v:\n%s", err, out)
	}
	p.Network = nil
	if out, err := p.KubernetesNetworkPolicy("app"); err != nil || out != nil {
		t.Errorf("a profile without a network section gave a policy: %s, %v", out, err)
	}
}
