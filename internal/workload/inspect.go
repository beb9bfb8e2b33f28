package workload

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// inspectContainer is the part of `docker inspect` / `ward inspect` output
// that decides privileges. Declared here rather than importing Docker's API
// types: the JSON is the contract.
type inspectContainer struct {
	ID     string `json:"Id"`
	Name   string `json:"Name"`
	Config *struct {
		User        string   `json:"User"`
		Env         []string `json:"Env"`
		Image       string   `json:"Image"`
		Healthcheck *struct {
			Test []string `json:"Test"`
		} `json:"Healthcheck"`
	} `json:"Config"`
	HostConfig *struct {
		Privileged     bool              `json:"Privileged"`
		CapAdd         []string          `json:"CapAdd"`
		CapDrop        []string          `json:"CapDrop"`
		SecurityOpt    []string          `json:"SecurityOpt"`
		ReadonlyRootfs bool              `json:"ReadonlyRootfs"`
		PidMode        string            `json:"PidMode"`
		IpcMode        string            `json:"IpcMode"`
		UTSMode        string            `json:"UTSMode"`
		NetworkMode    string            `json:"NetworkMode"`
		Binds          []string          `json:"Binds"`
		Memory         int64             `json:"Memory"`
		PidsLimit      *int64            `json:"PidsLimit"`
		Sysctls        map[string]string `json:"Sysctls"`
		Devices        []struct {
			PathOnHost      string `json:"PathOnHost"`
			PathInContainer string `json:"PathInContainer"`
		} `json:"Devices"`
		PortBindings map[string][]struct {
			HostIP   string `json:"HostIp"`
			HostPort string `json:"HostPort"`
		} `json:"PortBindings"`
	} `json:"HostConfig"`
	Mounts []struct {
		Type        string `json:"Type"`
		Source      string `json:"Source"`
		Destination string `json:"Destination"`
		RW          bool   `json:"RW"`
	} `json:"Mounts"`
}

// ReadInspect reads the JSON array printed by `docker inspect` or
// `ward inspect` for containers. Image inspect output (no HostConfig) says
// nothing about how a container runs and is refused.
func ReadInspect(file string, data []byte) ([]Workload, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return nil, fmt.Errorf("parse inspect output %s: not a JSON array", file)
	}
	var out []Workload
	for dec.More() {
		start := int(dec.InputOffset())
		var c inspectContainer
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("parse inspect output %s: %w", file, err)
		}
		end := int(dec.InputOffset())
		rest := data[start:end]
		start += len(rest) - len(bytes.TrimLeft(rest, " \t\r\n,"))
		if c.HostConfig == nil || c.Config == nil {
			return nil, fmt.Errorf("inspect output %s: object at line %d is not a container (no Config/HostConfig)", file, jsonPos{data: data}.lineOf(start))
		}
		out = append(out, inspectWorkload(file, jsonPos{data: data, start: start, end: end}, c))
	}
	return annotateInspect(data, out), nil
}

func inspectWorkload(file string, pos jsonPos, c inspectContainer) Workload {
	h := c.HostConfig
	name := strings.TrimPrefix(c.Name, "/")
	if name == "" && len(c.ID) >= 12 {
		name = c.ID[:12]
	}
	w := Workload{
		Kind:     KindInspect,
		File:     file,
		Line:     pos.lineOf(pos.start),
		Resource: "container " + name,
		Image:    c.Config.Image,
		User:     User{Name: c.Config.User},
		Seccomp:  SeccompDefault,
	}
	w.setLine(FieldImage, pos.line("Image"))
	w.setLine(FieldUser, pos.line("User"))
	w.Privileged = h.Privileged
	w.setLine(FieldPrivileged, pos.line("Privileged"))
	w.Capabilities, w.CapAdd, w.DropAll = EffectiveCapabilities(h.CapAdd, h.CapDrop)
	if h.Privileged {
		w.Capabilities = AllCapabilities
	}
	w.setLine(FieldCapAdd, pos.line("CapAdd"))
	w.setLine(FieldCapDrop, pos.line("CapDrop"))
	w.setLine(FieldNoNewPrivs, pos.line("SecurityOpt"))
	w.setLine(FieldSeccomp, pos.line("SecurityOpt"))
	for _, f := range []Field{FieldAppArmor, FieldSELinux, FieldProcMount} {
		w.setLine(f, pos.line("SecurityOpt"))
	}
	applySecurityOpts(&w, h.SecurityOpt)
	w.ReadOnlyRootfs = h.ReadonlyRootfs
	w.setLine(FieldReadOnly, pos.line("ReadonlyRootfs"))
	w.HostPID = h.PidMode == "host"
	w.setLine(FieldHostPID, pos.line("PidMode"))
	w.HostIPC = h.IpcMode == "host"
	w.setLine(FieldHostIPC, pos.line("IpcMode"))
	w.HostUTS = h.UTSMode == "host"
	w.setLine(FieldHostUTS, pos.line("UTSMode"))
	w.HostNetwork = h.NetworkMode == "host"
	w.setLine(FieldHostNetwork, pos.line("NetworkMode"))
	w.MemoryLimit = h.Memory
	if h.PidsLimit != nil && *h.PidsLimit > 0 {
		w.PidsLimit = *h.PidsLimit
	}
	w.setLine(FieldResources, pos.line("Memory"))

	// Mounts is what the engine made of Binds and --mount; older output
	// may only have Binds.
	for _, m := range c.Mounts {
		w.Mounts = append(w.Mounts, Mount{Type: m.Type, Source: m.Source, Destination: m.Destination, ReadOnly: !m.RW, Line: pos.value("Source", m.Source)})
	}
	if len(c.Mounts) == 0 {
		for i, b := range h.Binds {
			parts := strings.Split(b, ":")
			if len(parts) < 2 || !strings.HasPrefix(parts[0], "/") {
				continue
			}
			w.Mounts = append(w.Mounts, Mount{Type: "bind", Source: parts[0], Destination: parts[1],
				ReadOnly: len(parts) > 2 && slices.Contains(strings.Split(parts[2], ","), "ro"), Line: pos.nth("Binds", i)})
		}
	}
	names := make([]string, 0, len(h.Sysctls))
	for k := range h.Sysctls {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		w.Sysctls = append(w.Sysctls, Sysctl{Name: k, Value: h.Sysctls[k], Line: pos.line(k)})
	}
	for i, d := range h.Devices {
		w.Devices = append(w.Devices, Device{Host: d.PathOnHost, Container: d.PathInContainer, Line: pos.nth("Devices", i)})
	}
	for i, e := range c.Config.Env {
		k, v, _ := strings.Cut(e, "=")
		w.Env = append(w.Env, EnvVar{Name: k, Value: v, Line: pos.nth("Env", i)})
	}
	ports := make([]string, 0, len(h.PortBindings))
	for p := range h.PortBindings {
		ports = append(ports, p)
	}
	slices.Sort(ports)
	for _, p := range ports {
		for _, b := range h.PortBindings[p] {
			w.Ports = append(w.Ports, Port{HostIP: b.HostIP, HostPort: b.HostPort, ContainerPort: p, Line: pos.line("PortBindings")})
		}
	}
	w.Healthcheck = c.Config.Healthcheck != nil && len(c.Config.Healthcheck.Test) > 0 && c.Config.Healthcheck.Test[0] != "NONE"
	return w
}
