package workload

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// podSpecPath is where each workload kind keeps its pod spec.
var podSpecPath = map[string][]any{
	"Pod":                   {"spec"},
	"Deployment":            {"spec", "template", "spec"},
	"StatefulSet":           {"spec", "template", "spec"},
	"DaemonSet":             {"spec", "template", "spec"},
	"ReplicaSet":            {"spec", "template", "spec"},
	"ReplicationController": {"spec", "template", "spec"},
	"Job":                   {"spec", "template", "spec"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template", "spec"},
}

// ReadKubernetes reads a (multi-document) Kubernetes manifest. Every
// container and init container of every pod-bearing object becomes one
// workload, including objects inside a List (`kubectl get -o yaml`);
// other objects (Services, ConfigMaps, ...) are skipped.
func ReadKubernetes(file string, data []byte) ([]Workload, error) {
	var out []Workload
	for _, d := range splitYAML(data) {
		var head struct {
			Kind  string            `json:"kind"`
			Items []json.RawMessage `json:"items"`
		}
		if err := yaml.Unmarshal(d.Data, &head); err != nil {
			return nil, fmt.Errorf("parse kubernetes manifest %s line %d: %w", file, d.Line, err)
		}
		if _, ok := podSpecPath[head.Kind]; !ok && head.Kind != "List" && !strings.HasSuffix(head.Kind, "List") {
			continue
		}
		node, err := parseNode(d)
		if err != nil {
			return nil, fmt.Errorf("parse kubernetes manifest %s line %d: %w", file, d.Line, err)
		}
		if strings.HasSuffix(head.Kind, "List") {
			for i, item := range head.Items {
				ws, err := readObject(file, item, node, []any{"items", i})
				if err != nil {
					return nil, fmt.Errorf("parse %s item %d in %s line %d: %w", head.Kind, i, file, d.Line, err)
				}
				out = append(out, ws...)
			}
			continue
		}
		ws, err := readObject(file, d.Data, node, nil)
		if err != nil {
			return nil, fmt.Errorf("parse %s in %s line %d: %w", head.Kind, file, d.Line, err)
		}
		out = append(out, ws...)
	}
	return annotateKubernetes(data, out), nil
}

// readObject reads one object (YAML or JSON) found at prefix in node.
func readObject(file string, data []byte, node *yamlNode, prefix []any) ([]Workload, error) {
	var meta struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(data, &meta); err != nil {
		return nil, err
	}
	path, ok := podSpecPath[meta.Kind]
	if !ok {
		return nil, nil
	}
	spec, annotations, err := decodePodSpec(meta.Kind, data)
	if err != nil {
		return nil, err
	}
	p := podReader{file: file, obj: meta.Kind + "/" + meta.Metadata.Name, node: node,
		path: append(append([]any{}, prefix...), path...), spec: spec, annotations: annotations}
	var out []Workload
	for i, c := range spec.InitContainers {
		out = append(out, p.container(c, "initContainers", i))
	}
	for i, c := range spec.Containers {
		out = append(out, p.container(c, "containers", i))
	}
	return out, nil
}

// decodePodSpec returns the pod spec nested in obj and the annotations of
// the pod template (where the legacy seccomp annotations live).
func decodePodSpec(kind string, data []byte) (*corev1.PodSpec, map[string]string, error) {
	switch kind {
	case "Pod":
		var o corev1.Pod
		err := yaml.Unmarshal(data, &o)
		return &o.Spec, o.Annotations, err
	case "Deployment":
		var o appsv1.Deployment
		err := yaml.Unmarshal(data, &o)
		return &o.Spec.Template.Spec, o.Spec.Template.Annotations, err
	case "StatefulSet":
		var o appsv1.StatefulSet
		err := yaml.Unmarshal(data, &o)
		return &o.Spec.Template.Spec, o.Spec.Template.Annotations, err
	case "DaemonSet":
		var o appsv1.DaemonSet
		err := yaml.Unmarshal(data, &o)
		return &o.Spec.Template.Spec, o.Spec.Template.Annotations, err
	case "ReplicaSet":
		var o appsv1.ReplicaSet
		err := yaml.Unmarshal(data, &o)
		return &o.Spec.Template.Spec, o.Spec.Template.Annotations, err
	case "ReplicationController":
		var o corev1.ReplicationController
		err := yaml.Unmarshal(data, &o)
		if o.Spec.Template == nil {
			return &corev1.PodSpec{}, nil, err
		}
		return &o.Spec.Template.Spec, o.Spec.Template.Annotations, err
	case "Job":
		var o batchv1.Job
		err := yaml.Unmarshal(data, &o)
		return &o.Spec.Template.Spec, o.Spec.Template.Annotations, err
	case "CronJob":
		var o batchv1.CronJob
		err := yaml.Unmarshal(data, &o)
		return &o.Spec.JobTemplate.Spec.Template.Spec, o.Spec.JobTemplate.Spec.Template.Annotations, err
	}
	return nil, nil, fmt.Errorf("kind %s holds no pod spec", kind)
}

type podReader struct {
	file        string
	obj         string
	node        *yamlNode
	path        []any
	spec        *corev1.PodSpec
	annotations map[string]string
}

func (p podReader) at(rest ...any) []any {
	return append(append([]any{}, p.path...), rest...)
}

func (p podReader) container(c corev1.Container, list string, idx int) Workload {
	cpath := p.at(list, idx)
	w := Workload{
		Kind:     KindKubernetes,
		File:     p.file,
		Line:     lineAt(p.node, cpath...),
		Resource: fmt.Sprintf("%s %s %s", p.obj, singular(list), c.Name),
		Image:    c.Image,
	}
	w.setLine(FieldImage, lineAt(p.node, append(cpath, "image")...))
	psc := p.spec.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	sc := c.SecurityContext
	if sc == nil {
		sc = &corev1.SecurityContext{}
	}
	// field returns the line of a securityContext field, from the
	// container when it sets it, else from the pod.
	field := func(name string, set bool) int {
		if set {
			return lineAt(p.node, append(cpath, "securityContext", name)...)
		}
		if hasPath(p.node, p.at("securityContext", name)...) {
			return lineAt(p.node, p.at("securityContext", name)...)
		}
		return w.Line
	}

	// Who it runs as: the container's setting wins over the pod's.
	runAsUser, userSet := sc.RunAsUser, sc.RunAsUser != nil
	if runAsUser == nil {
		runAsUser = psc.RunAsUser
	}
	nonRoot, nonRootSet := sc.RunAsNonRoot, sc.RunAsNonRoot != nil
	if nonRoot == nil {
		nonRoot = psc.RunAsNonRoot
	}
	switch {
	case runAsUser != nil:
		w.User.Name = strconv.FormatInt(*runAsUser, 10)
		w.setLine(FieldUser, field("runAsUser", userSet))
	case nonRoot != nil:
		w.setLine(FieldUser, field("runAsNonRoot", nonRootSet))
	}
	if runAsUser == nil {
		w.User.BaseDecides = true
	}
	if nonRoot != nil && *nonRoot && (runAsUser == nil || *runAsUser != 0) {
		w.User.NonRootEnforced = true
	}

	w.Privileged = sc.Privileged != nil && *sc.Privileged
	w.setLine(FieldPrivileged, field("privileged", sc.Privileged != nil))
	var add, drop []string
	if sc.Capabilities != nil {
		for _, c := range sc.Capabilities.Add {
			add = append(add, string(c))
		}
		for _, c := range sc.Capabilities.Drop {
			drop = append(drop, string(c))
		}
		w.setLine(FieldCapAdd, lineAt(p.node, append(cpath, "securityContext", "capabilities", "add")...))
		w.setLine(FieldCapDrop, lineAt(p.node, append(cpath, "securityContext", "capabilities", "drop")...))
	}
	w.Capabilities, w.CapAdd, w.DropAll = EffectiveCapabilities(add, drop)
	if w.Privileged {
		w.Capabilities = AllCapabilities
	}
	// allowPrivilegeEscalation defaults to true, and is always true for
	// privileged containers.
	w.NoNewPrivileges = sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation && !w.Privileged
	w.setLine(FieldNoNewPrivs, field("allowPrivilegeEscalation", sc.AllowPrivilegeEscalation != nil))
	w.ReadOnlyRootfs = sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem
	w.setLine(FieldReadOnly, field("readOnlyRootFilesystem", sc.ReadOnlyRootFilesystem != nil))

	// seccomp: container profile, else pod profile, else the legacy
	// annotations, else none: the kubelet's default is Unconfined.
	w.Seccomp = SeccompAbsent
	profile, set := sc.SeccompProfile, sc.SeccompProfile != nil
	if profile == nil {
		profile = psc.SeccompProfile
	}
	if profile != nil {
		w.Seccomp = seccompFromK8s(string(profile.Type))
		w.setLine(FieldSeccomp, field("seccompProfile", set))
	} else if a, ok := p.annotations["container.seccomp.security.alpha.kubernetes.io/"+c.Name]; ok {
		w.Seccomp = seccompFromAnnotation(a)
	} else if a, ok := p.annotations["seccomp.security.alpha.kubernetes.io/pod"]; ok {
		w.Seccomp = seccompFromAnnotation(a)
	}
	if w.Privileged {
		w.Seccomp = SeccompUnconfined
	}

	p.isolation(&w, c, sc, psc, field)

	w.HostPID, w.HostIPC, w.HostNetwork = p.spec.HostPID, p.spec.HostIPC, p.spec.HostNetwork
	w.setLine(FieldHostPID, lineAt(p.node, p.at("hostPID")...))
	w.setLine(FieldHostIPC, lineAt(p.node, p.at("hostIPC")...))
	w.setLine(FieldHostNetwork, lineAt(p.node, p.at("hostNetwork")...))

	for _, vm := range c.VolumeMounts {
		for vi, v := range p.spec.Volumes {
			if v.Name != vm.Name {
				continue
			}
			w.Volumes = append(w.Volumes, Volume{Name: v.Name, Type: volumeType(v.VolumeSource), Line: lineAt(p.node, p.at("volumes", vi)...)})
			if v.HostPath == nil {
				continue
			}
			w.Mounts = append(w.Mounts, Mount{
				Type: "bind", Source: v.HostPath.Path, Destination: vm.MountPath, ReadOnly: vm.ReadOnly,
				Line: lineAt(p.node, p.at("volumes", vi, "hostPath", "path")...),
			})
		}
	}

	if q, ok := c.Resources.Limits[corev1.ResourceMemory]; ok {
		w.MemoryLimit = q.Value()
	}
	w.setLine(FieldResources, lineAt(p.node, append(cpath, "resources")...))

	for i, e := range c.Env {
		if e.ValueFrom == nil {
			w.Env = append(w.Env, EnvVar{Name: e.Name, Value: e.Value, Line: lineAt(p.node, append(cpath, "env", i)...)})
		}
	}
	for i, port := range c.Ports {
		if port.HostPort != 0 {
			w.Ports = append(w.Ports, Port{
				HostIP: port.HostIP, HostPort: strconv.Itoa(int(port.HostPort)), ContainerPort: strconv.Itoa(int(port.ContainerPort)),
				Line: lineAt(p.node, append(cpath, "ports", i)...),
			})
		}
	}
	w.Healthcheck = c.LivenessProbe != nil || c.ReadinessProbe != nil
	return w
}

// isolation reads AppArmor, SELinux, procMount, sysctls and HostProcess,
// container settings first, then the pod's, then the legacy annotations.
func (p podReader) isolation(w *Workload, c corev1.Container, sc *corev1.SecurityContext, psc *corev1.PodSecurityContext, field func(string, bool) int) {
	aa, aaSet := sc.AppArmorProfile, sc.AppArmorProfile != nil
	if aa == nil {
		aa = psc.AppArmorProfile
	}
	if aa != nil {
		switch aa.Type {
		case corev1.AppArmorProfileTypeUnconfined:
			w.AppArmor = "unconfined"
		case corev1.AppArmorProfileTypeLocalhost:
			w.AppArmor = "custom"
		}
		w.setLine(FieldAppArmor, field("appArmorProfile", aaSet))
	} else if a := p.annotations["container.apparmor.security.beta.kubernetes.io/"+c.Name]; a == "unconfined" {
		w.AppArmor = "unconfined"
	}

	se, seSet := sc.SELinuxOptions, sc.SELinuxOptions != nil
	if se == nil {
		se = psc.SELinuxOptions
	}
	if se != nil {
		switch {
		case !containerSELinuxType(se.Type):
			w.SELinux = "type=" + se.Type
		case se.User != "":
			w.SELinux = "user=" + se.User
		case se.Role != "":
			w.SELinux = "role=" + se.Role
		}
		w.setLine(FieldSELinux, field("seLinuxOptions", seSet))
	}

	if sc.ProcMount != nil && *sc.ProcMount == corev1.UnmaskedProcMount {
		w.ProcUnmasked = true
		w.setLine(FieldProcMount, field("procMount", true))
	}
	for i, s := range psc.Sysctls {
		w.Sysctls = append(w.Sysctls, Sysctl{Name: s.Name, Value: s.Value, Line: lineAt(p.node, p.at("securityContext", "sysctls", i)...)})
	}
	hp, hpSet := (*bool)(nil), false
	if sc.WindowsOptions != nil && sc.WindowsOptions.HostProcess != nil {
		hp, hpSet = sc.WindowsOptions.HostProcess, true
	} else if psc.WindowsOptions != nil {
		hp = psc.WindowsOptions.HostProcess
	}
	if hp != nil && *hp {
		w.HostProcess = true
		w.setLine(FieldHostProcess, field("windowsOptions", hpSet))
	}
}

// volumeType names the one source a volume sets ("hostPath", "nfs", ...).
func volumeType(v corev1.VolumeSource) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return ""
	}
	for k := range m {
		return k
	}
	return "emptyDir" // a volume naming no source is an emptyDir
}

func singular(list string) string {
	if list == "initContainers" {
		return "initContainer"
	}
	return "container"
}

func seccompFromK8s(t string) string {
	switch t {
	case "RuntimeDefault":
		return SeccompDefault
	case "Unconfined":
		return SeccompUnconfined
	case "Localhost":
		return SeccompCustom
	}
	return SeccompAbsent
}

func seccompFromAnnotation(a string) string {
	switch {
	case a == "runtime/default" || a == "docker/default":
		return SeccompDefault
	case a == "unconfined":
		return SeccompUnconfined
	case a != "":
		return SeccompCustom
	}
	return SeccompAbsent
}
