package learnprofile

import (
	"bytes"
	"fmt"
	"path"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// marshal writes YAML indented by 2, as compose files and Kubernetes
// manifests usually are.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}

// ComposeService is the profile as one service of a compose file (what
// `ward learn --convert --format compose` prints): the same keys docker
// compose turns into the flags of Flags. The image is the digest the
// profile is bound to; the seccomp profile is the file --format seccomp
// writes, which compose reads and passes to the engine. The listening
// ports become ports (PORT:PORT, as the flags' -p). Compose has no
// egress policy: the egress ward would apply goes in the service's
// x-ward-egress extension field, which docker compose ignores, and a
// comment says so.
func (p *Profile) ComposeService(name, seccompFile string) ([]byte, error) {
	type service struct {
		Image       string   `yaml:"image"`
		User        string   `yaml:"user,omitempty"`
		CapDrop     []string `yaml:"cap_drop"`
		CapAdd      []string `yaml:"cap_add,omitempty"`
		ReadOnly    bool     `yaml:"read_only,omitempty"`
		Tmpfs       []string `yaml:"tmpfs,omitempty"`
		SecurityOpt []string `yaml:"security_opt"`
		Ports       []string `yaml:"ports,omitempty"`
		WardEgress  string   `yaml:"x-ward-egress,omitempty"`
	}
	s := service{Image: p.Image, User: p.User, CapDrop: []string{"ALL"}, CapAdd: shortCaps(p.Capabilities),
		ReadOnly: p.ReadOnlyRoot, SecurityOpt: []string{"seccomp=" + seccompFile}, Ports: p.Ports(), WardEgress: p.Egress()}
	for _, w := range p.WritablePaths {
		s.Tmpfs = append(s.Tmpfs, w.Path+":"+w.TmpfsOptions())
	}
	out, err := marshal(map[string]any{"services": map[string]service{name: s}})
	if err != nil || s.WardEgress == "" {
		return out, err
	}
	return append([]byte("# compose has no egress policy: x-ward-egress is the --egress `ward run --profile` applies on a bridge network; docker compose ignores it\n"), out...), nil
}

// KubernetesContainer is the profile as the security part of one
// Kubernetes container (what `--format kubernetes` prints): a
// securityContext with a Localhost seccomp profile (the file --format
// seccomp writes, installed under the kubelet's seccomp directory as
// localhostProfile), the capabilities, the user and a read-only root,
// plus an emptyDir volume per writable path. Kubernetes cannot mount an
// emptyDir noexec, so those paths lose the noexec the profile gives them
// under ward; the output says so in a comment. The listening ports
// become the container's ports (containerPort), which publish nothing.
func (p *Profile) KubernetesContainer(name, localhostProfile string) ([]byte, error) {
	type capabilities struct {
		Drop []string `yaml:"drop"`
		Add  []string `yaml:"add,omitempty"`
	}
	type seccompProfile struct {
		Type             string `yaml:"type"`
		LocalhostProfile string `yaml:"localhostProfile"`
	}
	type securityContext struct {
		RunAsUser              *int64         `yaml:"runAsUser,omitempty"`
		RunAsGroup             *int64         `yaml:"runAsGroup,omitempty"`
		RunAsNonRoot           bool           `yaml:"runAsNonRoot,omitempty"`
		ReadOnlyRootFilesystem bool           `yaml:"readOnlyRootFilesystem"`
		Capabilities           capabilities   `yaml:"capabilities"`
		SeccompProfile         seccompProfile `yaml:"seccompProfile"`
	}
	type volumeMount struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	}
	type volume struct {
		Name     string         `yaml:"name"`
		EmptyDir map[string]any `yaml:"emptyDir"`
	}
	type containerPort struct {
		ContainerPort uint16 `yaml:"containerPort"`
		Protocol      string `yaml:"protocol"`
	}
	type container struct {
		Name            string          `yaml:"name"`
		Image           string          `yaml:"image"`
		Ports           []containerPort `yaml:"ports,omitempty"`
		SecurityContext securityContext `yaml:"securityContext"`
		VolumeMounts    []volumeMount   `yaml:"volumeMounts,omitempty"`
	}
	sc := securityContext{ReadOnlyRootFilesystem: p.ReadOnlyRoot,
		Capabilities:   capabilities{Drop: []string{"ALL"}, Add: shortCaps(p.Capabilities)},
		SeccompProfile: seccompProfile{Type: "Localhost", LocalhostProfile: localhostProfile}}
	if p.User != "" {
		uid, gid, hasGID := strings.Cut(p.User, ":")
		u, err := strconv.ParseInt(uid, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("profile user %q: Kubernetes wants a numeric UID", p.User)
		}
		sc.RunAsUser, sc.RunAsNonRoot = &u, u != 0
		if hasGID {
			g, err := strconv.ParseInt(gid, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("profile user %q: Kubernetes wants a numeric GID", p.User)
			}
			sc.RunAsGroup = &g
		}
	}
	c := container{Name: name, Image: p.Image, SecurityContext: sc}
	for _, pp := range p.ListeningPorts() {
		c.Ports = append(c.Ports, containerPort{pp.Port, strings.ToUpper(pp.Protocol)})
	}
	var vols []volume
	for i, w := range p.WritablePaths {
		vn := fmt.Sprintf("%s-%d-%s", name, i, strings.Trim(strings.ReplaceAll(path.Base(w.Path), "_", "-"), "."))
		c.VolumeMounts = append(c.VolumeMounts, volumeMount{Name: vn, MountPath: w.Path})
		vols = append(vols, volume{Name: vn, EmptyDir: map[string]any{}})
	}
	out, err := marshal(map[string]any{"containers": []container{c}, "volumes": vols})
	if err != nil {
		return nil, err
	}
	if len(vols) > 0 {
		out = append([]byte("# emptyDir volumes cannot be mounted noexec: the writable paths keep exec under Kubernetes\n"), out...)
	}
	return out, nil
}

func shortCaps(caps []string) []string {
	var out []string
	for _, c := range caps {
		out = append(out, strings.TrimPrefix(c, "CAP_"))
	}
	return out
}
