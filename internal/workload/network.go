package workload

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

// Egress states: what a workload may send out, as its input says.
const (
	EgressUnknown    = ""           // the input cannot tell (Dockerfile, OCI config, another container's network)
	EgressAllowAll   = "allow-all"  // anywhere: Docker's and compose's default, a pod no NetworkPolicy selects
	EgressRestricted = "restricted" // an allow-list: ward's --egress, internal networks, a NetworkPolicy
	EgressNone       = "none"       // no network at all
)

// NetworkPolicy is a workload's egress as its input sets it, and why.
type NetworkPolicy struct {
	Egress string // one of the Egress* states
	// Detail names what decides it: the policy text, the networks, the
	// NetworkPolicy objects, or what is missing.
	Detail string
	Line   int
}

// annotateInspect reads each record's network mode and ward's effective
// policy (NetworkSettings.Policy); Docker's records have none, so their
// egress is unrestricted unless they have no network.
func annotateInspect(data []byte, ws []Workload) []Workload {
	var records []struct {
		HostConfig *struct {
			NetworkMode string `json:"NetworkMode"`
		} `json:"HostConfig"`
		NetworkSettings *struct {
			Policy *struct {
				Egress string `json:"Egress"`
			} `json:"Policy"`
		} `json:"NetworkSettings"`
	}
	if json.Unmarshal(data, &records) != nil || len(records) != len(ws) {
		return ws
	}
	for i, r := range records {
		w := &ws[i]
		mode := ""
		if r.HostConfig != nil {
			mode = r.HostConfig.NetworkMode
		}
		line := w.LineOf(FieldHostNetwork)
		var policy string
		if r.NetworkSettings != nil && r.NetworkSettings.Policy != nil {
			policy = r.NetworkSettings.Policy.Egress
		}
		switch {
		case mode == "none":
			w.Network = NetworkPolicy{Egress: EgressNone, Detail: "--network none", Line: line}
		case strings.HasPrefix(mode, "container:"):
			w.Network = NetworkPolicy{Egress: EgressUnknown, Detail: "the network of " + strings.TrimPrefix(mode, "container:"), Line: line}
		case policy != "" && policy != "allow-all":
			w.Network = NetworkPolicy{Egress: EgressRestricted, Detail: "--egress " + policy, Line: line}
		case mode == "host":
			w.Network = NetworkPolicy{Egress: EgressAllowAll, Detail: "the host's network", Line: line}
		default:
			w.Network = NetworkPolicy{Egress: EgressAllowAll, Detail: fmt.Sprintf("network %s with no egress policy", firstSet(mode, "default")), Line: line}
		}
	}
	return ws
}

// annotateCompose judges each service by its networks: only internal
// networks (or none at all) restrict egress; compose has no other way.
func annotateCompose(project *types.Project, ws []Workload) []Workload {
	for i := range ws {
		w := &ws[i]
		name := strings.TrimPrefix(w.Resource, "service ")
		s, ok := project.Services[name]
		if !ok {
			continue
		}
		line := w.LineOf(FieldHostNetwork)
		switch {
		case s.NetworkMode == "none":
			w.Network = NetworkPolicy{Egress: EgressNone, Detail: "network_mode: none", Line: line}
			continue
		case s.NetworkMode == "host":
			w.Network = NetworkPolicy{Egress: EgressAllowAll, Detail: "network_mode: host", Line: line}
			continue
		case s.NetworkMode != "":
			w.Network = NetworkPolicy{Egress: EgressUnknown, Detail: "network_mode: " + s.NetworkMode, Line: line}
			continue
		}
		nets := make([]string, 0, len(s.Networks))
		for n := range s.Networks {
			nets = append(nets, n)
		}
		if len(nets) == 0 {
			nets = []string{"default"}
		}
		slices.Sort(nets)
		var open []string
		for _, n := range nets {
			if cfg, ok := project.Networks[n]; !ok || !cfg.Internal {
				open = append(open, n)
			}
		}
		if len(open) == 0 {
			w.Network = NetworkPolicy{Egress: EgressRestricted, Detail: "internal networks only: " + strings.Join(nets, ", "), Line: line}
		} else {
			w.Network = NetworkPolicy{Egress: EgressAllowAll, Detail: "network " + strings.Join(open, ", ") + " is not internal and has no egress policy", Line: line}
		}
	}
	return ws
}

// podMeta is what selects a pod: its namespace and its template's labels.
type podMeta struct {
	namespace string
	labels    map[string]string
}

// annotateKubernetes reads the NetworkPolicy objects of the manifest and
// says, for each container, whether one restricts its pod's egress.
// Without one, a pod may send anywhere: Kubernetes allows all by default.
func annotateKubernetes(data []byte, ws []Workload) []Workload {
	var policies []networkingv1.NetworkPolicy
	pods := map[string]podMeta{} // "Kind/name" -> its pods
	for _, d := range splitYAML(data) {
		var head struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name      string            `json:"name"`
				Namespace string            `json:"namespace"`
				Labels    map[string]string `json:"labels"`
			} `json:"metadata"`
			Spec struct {
				Template struct {
					Metadata struct {
						Labels map[string]string `json:"labels"`
					} `json:"metadata"`
				} `json:"template"`
				JobTemplate struct {
					Spec struct {
						Template struct {
							Metadata struct {
								Labels map[string]string `json:"labels"`
							} `json:"metadata"`
						} `json:"template"`
					} `json:"spec"`
				} `json:"jobTemplate"`
			} `json:"spec"`
		}
		if yaml.Unmarshal(d.Data, &head) != nil {
			continue
		}
		ns := firstSet(head.Metadata.Namespace, "default")
		switch head.Kind {
		case "NetworkPolicy":
			var np networkingv1.NetworkPolicy
			if yaml.Unmarshal(d.Data, &np) == nil {
				np.Namespace = ns
				policies = append(policies, np)
			}
		case "Pod":
			pods["Pod/"+head.Metadata.Name] = podMeta{ns, head.Metadata.Labels}
		case "CronJob":
			pods["CronJob/"+head.Metadata.Name] = podMeta{ns, head.Spec.JobTemplate.Spec.Template.Metadata.Labels}
		default:
			pods[head.Kind+"/"+head.Metadata.Name] = podMeta{ns, head.Spec.Template.Metadata.Labels}
		}
	}
	for i := range ws {
		w := &ws[i]
		obj, _, _ := strings.Cut(w.Resource, " ")
		meta, ok := pods[obj]
		if !ok {
			continue
		}
		if w.HostNetwork {
			// NetworkPolicies do not apply to pods on the node's network.
			w.Network = NetworkPolicy{Egress: EgressAllowAll, Detail: "hostNetwork: NetworkPolicies do not apply", Line: w.LineOf(FieldHostNetwork)}
			continue
		}
		w.Network = podEgress(policies, meta)
		w.Network.Line = w.Line
	}
	return ws
}

// podEgress is the egress the NetworkPolicies give a pod: restricted when
// one selecting it governs egress, unless one of those allows everything.
func podEgress(policies []networkingv1.NetworkPolicy, pod podMeta) NetworkPolicy {
	var names []string
	for _, np := range policies {
		if np.Namespace != pod.namespace || !governsEgress(np) {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
		if err != nil || !sel.Matches(labels.Set(pod.labels)) {
			continue
		}
		for _, r := range np.Spec.Egress {
			if len(r.To) == 0 && len(r.Ports) == 0 {
				return NetworkPolicy{Egress: EgressAllowAll, Detail: "NetworkPolicy " + np.Name + " allows all egress"}
			}
		}
		names = append(names, np.Name)
	}
	if len(names) == 0 {
		return NetworkPolicy{Egress: EgressAllowAll, Detail: "no NetworkPolicy with policyTypes Egress selects its pods"}
	}
	return NetworkPolicy{Egress: EgressRestricted, Detail: "NetworkPolicy " + strings.Join(names, ", ")}
}

// governsEgress: policyTypes names Egress, or, when unset, the policy has
// egress rules (Kubernetes' own defaulting).
func governsEgress(np networkingv1.NetworkPolicy) bool {
	if len(np.Spec.PolicyTypes) == 0 {
		return len(np.Spec.Egress) > 0
	}
	return slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
}

func firstSet(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
