package workload

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	interp "github.com/compose-spec/compose-go/v2/interpolation"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// ReadCompose reads a compose file with compose-go, so extends, anchors,
// interpolation defaults and both short and long syntaxes mean what Docker
// Compose makes of them. Each service becomes one workload.
func ReadCompose(file string, data []byte) ([]Workload, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, fmt.Errorf("compose file %s: %w", file, err)
	}
	details := types.ConfigDetails{
		WorkingDir:  filepath.Dir(abs),
		ConfigFiles: []types.ConfigFile{{Filename: abs, Content: data}},
		Environment: types.Mapping{},
	}
	project, err := loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName("ward-check", true)
		o.SkipResolveEnvironment = true // env_file may not exist where we audit
		o.SkipInclude = true
		o.SkipConsistencyCheck = true
		// Unset variables read as empty, so ${X:-default} takes its default
		// and nothing is read from the auditor's own environment.
		o.Interpolate = &interp.Options{LookupValue: func(string) (string, bool) { return "", true }}
	})
	if err != nil {
		return nil, fmt.Errorf("parse compose file %s: %w", file, err)
	}
	node, err := parseNode(yamlDoc{Data: data, Line: 1})
	if err != nil {
		return nil, fmt.Errorf("parse compose file %s: %w", file, err)
	}
	names := make([]string, 0, len(project.Services))
	for name := range project.Services {
		names = append(names, name)
	}
	// Keep the file's order, which is the order a reader expects findings in.
	slices.SortFunc(names, func(a, b string) int {
		return lineAt(node, "services", a) - lineAt(node, "services", b)
	})
	var out []Workload
	for _, name := range names {
		out = append(out, composeService(file, node, project.Services[name]))
	}
	return annotateCompose(project, out), nil
}

func composeService(file string, node *yamlNode, s types.ServiceConfig) Workload {
	at := func(field ...any) int { return lineAt(node, append([]any{"services", s.Name}, field...)...) }
	w := Workload{
		Kind:     KindCompose,
		File:     file,
		Line:     at(),
		Resource: "service " + s.Name,
		Image:    s.Image,
	}
	if s.Image == "" && s.Build != nil {
		w.Image = "" // built from a Dockerfile: audit that file for the image
	}
	w.setLine(FieldImage, at("image"))
	w.User = User{Name: s.User, BaseDecides: s.User == ""}
	w.setLine(FieldUser, at("user"))
	w.Privileged = s.Privileged
	w.setLine(FieldPrivileged, at("privileged"))
	w.Capabilities, w.CapAdd, w.DropAll = EffectiveCapabilities(s.CapAdd, s.CapDrop)
	if s.Privileged {
		w.Capabilities = AllCapabilities
	}
	w.setLine(FieldCapAdd, at("cap_add"))
	w.setLine(FieldCapDrop, at("cap_drop"))
	w.Seccomp = SeccompDefault
	w.setLine(FieldNoNewPrivs, at("security_opt"))
	w.setLine(FieldSeccomp, at("security_opt"))
	for _, f := range []Field{FieldAppArmor, FieldSELinux, FieldProcMount} {
		w.setLine(f, at("security_opt"))
	}
	applySecurityOpts(&w, s.SecurityOpt)
	w.ReadOnlyRootfs = s.ReadOnly
	w.setLine(FieldReadOnly, at("read_only"))
	w.HostPID = s.Pid == "host"
	w.setLine(FieldHostPID, at("pid"))
	w.HostIPC = s.Ipc == "host"
	w.setLine(FieldHostIPC, at("ipc"))
	w.HostUTS = s.Uts == "host"
	w.setLine(FieldHostUTS, at("uts"))
	w.HostNetwork = s.NetworkMode == "host"
	w.setLine(FieldHostNetwork, at("network_mode"))

	for i, v := range s.Volumes {
		m := Mount{Type: v.Type, Source: v.Source, Destination: v.Target, ReadOnly: v.ReadOnly, Line: at("volumes", i)}
		if v.Type == types.VolumeTypeBind {
			m.Type = "bind"
		}
		w.Mounts = append(w.Mounts, m)
	}

	sysctlNames := make([]string, 0, len(s.Sysctls))
	for k := range s.Sysctls {
		sysctlNames = append(sysctlNames, k)
	}
	slices.Sort(sysctlNames)
	for _, k := range sysctlNames {
		w.Sysctls = append(w.Sysctls, Sysctl{Name: k, Value: s.Sysctls[k], Line: entryLine(node, k, "services", s.Name, "sysctls")})
	}
	for i, d := range s.Devices {
		w.Devices = append(w.Devices, Device{Host: d.Source, Container: d.Target, Line: at("devices", i)})
	}

	w.MemoryLimit = int64(s.MemLimit)
	w.PidsLimit = s.PidsLimit
	w.setLine(FieldResources, at("mem_limit"))
	if s.Deploy != nil && s.Deploy.Resources.Limits != nil {
		l := s.Deploy.Resources.Limits
		if w.MemoryLimit == 0 {
			w.MemoryLimit = int64(l.MemoryBytes)
		}
		if w.PidsLimit == 0 {
			w.PidsLimit = l.Pids
		}
		w.setLine(FieldResources, at("deploy", "resources", "limits"))
	}

	envNames := make([]string, 0, len(s.Environment))
	for k := range s.Environment {
		envNames = append(envNames, k)
	}
	slices.Sort(envNames)
	for _, k := range envNames {
		if v := s.Environment[k]; v != nil {
			w.Env = append(w.Env, EnvVar{Name: k, Value: *v, Line: entryLine(node, k, "services", s.Name, "environment")})
		}
	}
	for i, p := range s.Ports {
		if p.Published != "" {
			w.Ports = append(w.Ports, Port{HostIP: p.HostIP, HostPort: p.Published, ContainerPort: fmt.Sprint(p.Target), Line: at("ports", i)})
		}
	}
	w.Healthcheck = s.HealthCheck != nil && !s.HealthCheck.Disable
	w.setLine(FieldHealthcheck, at("healthcheck"))
	return w
}

// containerSELinuxType reports whether t is one of the types container
// runtimes assign, which the Pod Security baseline allows.
func containerSELinuxType(t string) bool {
	switch t {
	case "", "container_t", "container_init_t", "container_kvm_t", "container_engine_t":
		return true
	}
	return false
}

// applySecurityOpts reads Docker's --security-opt values, accepting both
// the "key:value" and "key=value" spellings Docker accepts.
func applySecurityOpts(w *Workload, opts []string) {
	for _, o := range opts {
		key, val := o, ""
		if i := strings.IndexAny(o, ":="); i >= 0 {
			key, val = o[:i], o[i+1:]
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		switch key {
		case "no-new-privileges":
			// Docker reads the value with strconv.ParseBool: 1, t, TRUE...
			b, err := strconv.ParseBool(val)
			w.NoNewPrivileges = val == "" || (err == nil && b)
		case "apparmor":
			if val == "unconfined" {
				w.AppArmor = "unconfined"
			} else if val != "" {
				w.AppArmor = "custom"
			}
		case "label":
			if val == "disable" || val == "disable=true" {
				w.SELinux = "disabled"
			} else if k, v, ok := strings.Cut(val, ":"); ok && (k == "user" || k == "role" || (k == "type" && !containerSELinuxType(v))) {
				w.SELinux = k + "=" + v
			}
		case "systempaths":
			w.ProcUnmasked = val == "unconfined"
		case "seccomp":
			switch val {
			case "unconfined":
				w.Seccomp = SeccompUnconfined
			case "", "default", "builtin":
				w.Seccomp = SeccompDefault
			default:
				w.Seccomp = SeccompCustom
			}
		}
	}
	if w.Privileged {
		// --privileged disables seccomp, AppArmor and masking whatever
		// --security-opt says.
		w.Seccomp = SeccompUnconfined
		w.AppArmor = "unconfined"
		w.ProcUnmasked = true
	}
}
