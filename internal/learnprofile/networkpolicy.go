package learnprofile

import (
	"net/netip"
	"regexp"
	"strings"
)

// PodLabel is the label KubernetesNetworkPolicy selects pods by; its
// value is the policy's name.
const PodLabel = "ward.learn/profile"

// KubernetesNetworkPolicy is the profile's egress as a Kubernetes
// NetworkPolicy (what `--format kubernetes` prints after the container):
// it selects the pods labelled PodLabel: LabelValue(name), and allows
// egress to each destination seen (an ipBlock of one address and its
// port) and, when the workload used its resolvers, DNS on port 53 to the
// cluster's DNS pods (k8s-app: kube-dns, the label CoreDNS keeps). With
// no destination its egress list is empty: the pods may send nothing.
// Without a network section there is nothing to say: nil.
func (p *Profile) KubernetesNetworkPolicy(name string) ([]byte, error) {
	if p.Network == nil {
		return nil, nil
	}
	type port struct {
		Protocol string `yaml:"protocol"`
		Port     uint16 `yaml:"port"`
	}
	type peer struct {
		IPBlock           map[string]string `yaml:"ipBlock,omitempty"`
		NamespaceSelector *map[string]any   `yaml:"namespaceSelector,omitempty"` // {}: every namespace
		PodSelector       map[string]any    `yaml:"podSelector,omitempty"`
	}
	type rule struct {
		To    []peer `yaml:"to"`
		Ports []port `yaml:"ports"`
	}
	label := LabelValue(name)
	rules := []rule{}
	dns, seen := false, map[string]bool{}
	for _, d := range p.Network.Destinations {
		a, err := netip.ParseAddr(d.Address)
		if err != nil || a.Unmap().IsLoopback() {
			continue
		}
		if d.DNS {
			dns = true
			continue
		}
		if item := d.egressItem(); seen[item] {
			continue
		}
		seen[d.egressItem()] = true
		a = a.Unmap()
		r := rule{To: []peer{{IPBlock: map[string]string{"cidr": netip.PrefixFrom(a, a.BitLen()).String()}}},
			Ports: []port{{strings.ToUpper(d.Protocol), d.Port}}}
		rules = append(rules, r)
	}
	if dns {
		rules = append(rules, rule{
			To:    []peer{{NamespaceSelector: &map[string]any{}, PodSelector: map[string]any{"matchLabels": map[string]string{"k8s-app": "kube-dns"}}}},
			Ports: []port{{"UDP", 53}, {"TCP", 53}},
		})
	}
	policy := map[string]any{
		"apiVersion": "networking.k8s.io/v1",
		"kind":       "NetworkPolicy",
		"metadata":   map[string]string{"name": strings.ReplaceAll(label, "_", "-") + "-egress"},
		"spec": map[string]any{
			"podSelector": map[string]any{"matchLabels": map[string]string{PodLabel: label}},
			"policyTypes": []string{"Egress"},
			"egress":      rules,
		},
	}
	out, err := marshal(policy)
	if err != nil {
		return nil, err
	}
	head := "# selects the pods labelled " + PodLabel + ": " + label + " (add it to the pod's metadata.labels); it allows only the egress learned\n"
	return append([]byte(head), out...), nil
}

var notLabel = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// LabelValue makes name a valid Kubernetes label value (and DNS-ish
// object name part): at most 63 characters of letters, digits, '-', '_'
// and '.', starting and ending with a letter or digit.
func LabelValue(name string) string {
	v := notLabel.ReplaceAllString(name, "-")
	if len(v) > 63 {
		v = v[:63]
	}
	v = strings.Trim(v, "-_.")
	if v == "" {
		return "ward"
	}
	return strings.ToLower(v)
}
