package workload

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/bundle"
)

// ReadOCIConfig reads an OCI runtime bundle's config.json. The spec is
// explicit about everything, so the effective settings are what it says: a
// namespace not listed is the host's, no seccomp section means no filter.
func ReadOCIConfig(file string, data []byte) ([]Workload, error) {
	var s specs.Spec
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("parse oci config %s: %w", file, err)
	}
	pos := jsonPos{data: data, start: 0, end: len(data)}
	w := Workload{
		Kind:     KindOCI,
		File:     file,
		Line:     1,
		Resource: "bundle " + filepath.Base(filepath.Dir(absOr(file))),
		Seccomp:  SeccompUnconfined,
		User:     User{Name: "0"},
	}
	if s.Annotations != nil {
		w.Image = s.Annotations["org.opencontainers.image.ref.name"]
	}
	if p := s.Process; p != nil {
		w.User.Name = strconv.FormatUint(uint64(p.User.UID), 10)
		w.User.HostUID = hostUID(&s, p.User.UID)
		w.setLine(FieldUser, pos.line("uid"))
		if p.Capabilities != nil {
			// What the process can hold: the union of the five sets (the
			// bounding set bounds what an execve can raise).
			for _, set := range [][]string{p.Capabilities.Bounding, p.Capabilities.Effective, p.Capabilities.Permitted, p.Capabilities.Inheritable, p.Capabilities.Ambient} {
				for _, c := range set {
					if c := NormalizeCapability(c); !slices.Contains(w.Capabilities, c) {
						w.Capabilities = append(w.Capabilities, c)
					}
				}
			}
			slices.Sort(w.Capabilities)
			w.setLine(FieldCapAdd, pos.line("bounding"))
			w.setLine(FieldCapDrop, pos.line("bounding"))
		}
		switch p.ApparmorProfile {
		case "":
		case "unconfined":
			w.AppArmor = "unconfined"
		default:
			w.AppArmor = "custom"
		}
		w.setLine(FieldAppArmor, pos.line("apparmorProfile"))
		w.NoNewPrivileges = p.NoNewPrivileges
		w.setLine(FieldNoNewPrivs, pos.line("noNewPrivileges"))
		for i, e := range p.Env {
			k, v, _ := strings.Cut(e, "=")
			w.Env = append(w.Env, EnvVar{Name: k, Value: v, Line: pos.nth("env", i)})
		}
	}
	// Read as Docker's flags would say it, and as ward records it: ALL
	// dropped and the whole set added when fewer than half of the
	// defaults are left, else the capabilities beyond the defaults added.
	kept := 0
	for _, c := range DefaultCapabilities {
		if slices.Contains(w.Capabilities, c) {
			kept++
		}
	}
	w.DropAll = 2*kept < len(DefaultCapabilities)
	for _, c := range w.Capabilities {
		if w.DropAll || !slices.Contains(DefaultCapabilities, c) {
			w.CapAdd = append(w.CapAdd, c)
		}
	}
	if s.Root != nil {
		w.ReadOnlyRootfs = s.Root.Readonly
		w.setLine(FieldReadOnly, pos.line("root"))
	}
	for _, m := range s.Mounts {
		mt := m.Type
		if mt == "bind" || slices.Contains(m.Options, "bind") || slices.Contains(m.Options, "rbind") {
			mt = "bind"
		}
		if mt == "bind" && engineNetworkFile(m) {
			continue
		}
		if mt == "bind" && m.Source == "/dev/shm" && m.Destination == "/dev/shm" && !ownNamespace(&s, specs.IPCNamespace) {
			continue // the host's IPC namespace, judged as such
		}
		src := m.Source
		if host, ok := s.Annotations[bundle.IDMapSourceAnnotation+filepath.Clean(m.Destination)]; ok && mt == "bind" && isIDMappedClone(m.Source) {
			// The engine's idmapped clone of a host path (-v SRC:DST:idmap):
			// judge the host path the container sees. An annotation on any
			// other bind is ignored, so it cannot hide a host path.
			src = host
		}
		w.Mounts = append(w.Mounts, Mount{Type: mt, Source: src, Destination: m.Destination,
			ReadOnly: slices.Contains(m.Options, "ro"), Line: pos.value("destination", m.Destination)})
	}
	w.HostPID, w.HostIPC, w.HostUTS, w.HostNetwork = true, true, true, true
	w.ProcUnmasked = true // no linux section: nothing is masked
	nsLine := pos.line("namespaces")
	for _, f := range []Field{FieldHostPID, FieldHostIPC, FieldHostUTS, FieldHostNetwork} {
		w.setLine(f, nsLine)
	}
	if l := s.Linux; l != nil {
		for _, ns := range l.Namespaces {
			// A path joins an existing namespace; /proc/1/ns is the host's.
			own := ns.Path == "" || !strings.HasPrefix(ns.Path, "/proc/1/")
			switch ns.Type {
			case specs.PIDNamespace:
				w.HostPID = !own
			case specs.IPCNamespace:
				w.HostIPC = !own
			case specs.UTSNamespace:
				w.HostUTS = !own
			case specs.NetworkNamespace:
				w.HostNetwork = !own
			}
		}
		// What `docker run --privileged` generates: SYS_ADMIN within
		// reach and nothing masked. No field says "privileged" in a bundle.
		w.Privileged = slices.Contains(w.Capabilities, "SYS_ADMIN") && len(l.MaskedPaths) == 0 && len(l.ReadonlyPaths) == 0
		for i, d := range l.Devices {
			// The runtime creates the standard nodes in every container;
			// a privileged one gets every host device, which WD120 says.
			if !slices.Contains(standardDevices, d.Path) && !w.Privileged {
				w.Devices = append(w.Devices, Device{Host: d.Path, Container: d.Path, Line: pos.nth("devices", i)})
			}
		}
		if l.Seccomp != nil && !seccompAllowsAll(l.Seccomp) {
			w.Seccomp = SeccompCustom
			if l.Seccomp.DefaultAction == specs.ActErrno {
				w.Seccomp = SeccompDefault
			}
		}
		w.setLine(FieldSeccomp, pos.line("seccomp"))
		if r := l.Resources; r != nil {
			if r.Memory != nil && r.Memory.Limit != nil && *r.Memory.Limit > 0 {
				w.MemoryLimit = *r.Memory.Limit
			}
			if r.Pids != nil && r.Pids.Limit != nil && *r.Pids.Limit > 0 {
				w.PidsLimit = *r.Pids.Limit
			}
			w.setLine(FieldResources, pos.line("resources"))
		}
		w.ProcUnmasked = len(l.MaskedPaths) == 0 && len(l.ReadonlyPaths) == 0
		w.setLine(FieldProcMount, pos.line("maskedPaths"))
		names := make([]string, 0, len(l.Sysctl))
		for k := range l.Sysctl {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			w.Sysctls = append(w.Sysctls, Sysctl{Name: k, Value: l.Sysctl[k], Line: pos.line(k)})
		}
	}
	w.Network = ociNetwork(&s, w.LineOf(FieldHostNetwork))
	return []Workload{w}, nil
}

// isIDMappedClone tells whether a bind source has the shape of the
// engine's idmapped clones, ROOT/idmapped/ID/N.
func isIDMappedClone(src string) bool {
	src = filepath.Clean(src)
	return filepath.Base(filepath.Dir(filepath.Dir(src))) == "idmapped" && filepath.IsAbs(src)
}

// hostUID is the uid the host sees for uid in the spec's container: uid
// itself without a user namespace of its own; mapped through
// linux.uidMappings with one. nil when it cannot be told (a user
// namespace joined by path, or a uid no mapping covers: the runtime
// would refuse it).
func hostUID(s *specs.Spec, uid uint32) *uint32 {
	if s.Linux == nil {
		return &uid
	}
	for _, ns := range s.Linux.Namespaces {
		if ns.Type != specs.UserNamespace {
			continue
		}
		for _, m := range s.Linux.UIDMappings {
			if uid >= m.ContainerID && uint64(uid) < uint64(m.ContainerID)+uint64(m.Size) {
				host := m.HostID + (uid - m.ContainerID)
				return &host
			}
		}
		return nil
	}
	return &uid
}

// ownNamespace tells whether the spec gives the container a namespace of
// type t of its own (a new one, or one joined by a path that is not the
// host's /proc/1/ns).
func ownNamespace(s *specs.Spec, t specs.LinuxNamespaceType) bool {
	if s.Linux == nil {
		return false
	}
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == t {
			return ns.Path == "" || !strings.HasPrefix(ns.Path, "/proc/1/")
		}
	}
	return false
}

// ociNetwork is the egress the spec itself decides: the host's network,
// or a new network namespace that nothing configures (no path, no hook
// that could add an interface) and so has only lo. A namespace joined by
// path is configured elsewhere: unknown from the spec alone.
func ociNetwork(s *specs.Spec, line int) NetworkPolicy {
	if !ownNamespace(s, specs.NetworkNamespace) {
		return NetworkPolicy{Egress: EgressAllowAll, Detail: "the host's network", Line: line}
	}
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == specs.NetworkNamespace && ns.Path != "" {
			return NetworkPolicy{Egress: EgressUnknown, Detail: "network namespace " + ns.Path, Line: line}
		}
	}
	if h := s.Hooks; h != nil && len(h.Prestart)+len(h.CreateRuntime)+len(h.CreateContainer) > 0 {
		return NetworkPolicy{Egress: EgressUnknown, Detail: "a network namespace its hooks may configure", Line: line}
	}
	return NetworkPolicy{Egress: EgressNone, Detail: "a network namespace of its own with only lo", Line: line}
}

// seccompAllowsAll tells a seccomp section that filters nothing: its
// default action and every rule allow.
func seccompAllowsAll(s *specs.LinuxSeccomp) bool {
	if s.DefaultAction != specs.ActAllow {
		return false
	}
	for _, sc := range s.Syscalls {
		if sc.Action != specs.ActAllow {
			return false
		}
	}
	return true
}

// engineNetworkFile tells the resolv.conf, hostname and hosts files an
// engine writes per container and binds over the image's (Docker's and
// ward's live in the container's own directory): the engine's doing, not
// a host path the user gave. The host's own /etc files are not these.
func engineNetworkFile(m specs.Mount) bool {
	switch m.Destination {
	case "/etc/resolv.conf", "/etc/hostname", "/etc/hosts":
	default:
		return false
	}
	src := filepath.Clean(m.Source)
	return filepath.Base(src) == filepath.Base(m.Destination) && filepath.Dir(src) != "/etc" && filepath.IsAbs(src)
}

// standardDevices are the nodes every runtime creates in a container.
var standardDevices = []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/console", "/dev/ptmx"}

func absOr(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// jsonPos finds the line of a key inside data[start:end]. JSON decoders keep
// no positions; a textual search within one object's bytes is close enough
// for pointing a reader at the right line.
type jsonPos struct {
	data       []byte
	start, end int
}

func (p jsonPos) lineOf(off int) int { return bytes.Count(p.data[:off], []byte("\n")) + 1 }

// line is the line of the first "key": in the object, or the object's first line.
func (p jsonPos) line(key string) int {
	i := bytes.Index(p.data[p.start:p.end], []byte(`"`+key+`"`))
	if i < 0 {
		return p.lineOf(p.start)
	}
	return p.lineOf(p.start + i)
}

// value is the line of "key": "val", falling back to the key alone.
func (p jsonPos) value(key, val string) int {
	enc, _ := json.Marshal(val)
	obj := p.data[p.start:p.end]
	for off := 0; ; {
		i := bytes.Index(obj[off:], []byte(`"`+key+`"`))
		if i < 0 {
			return p.line(key)
		}
		off += i + len(key) + 2
		rest := bytes.TrimLeft(obj[off:], " \t\r\n:")
		if bytes.HasPrefix(rest, enc) {
			return p.lineOf(p.start + off)
		}
	}
}

// nth is the line of the n-th element of the array under key.
func (p jsonPos) nth(key string, n int) int {
	obj := p.data[p.start:p.end]
	i := bytes.Index(obj, []byte(`"`+key+`"`))
	if i < 0 {
		return p.lineOf(p.start)
	}
	j := bytes.IndexByte(obj[i:], '[')
	if j < 0 {
		return p.lineOf(p.start + i)
	}
	base := p.start + i + j
	arr := p.data[base:p.end]
	dec := json.NewDecoder(bytes.NewReader(arr))
	if _, err := dec.Token(); err != nil { // '['
		return p.lineOf(base)
	}
	for k := 0; dec.More(); k++ {
		off := int(dec.InputOffset())
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			break
		}
		if k == n {
			rest := arr[off:]
			return p.lineOf(base + off + len(rest) - len(bytes.TrimLeft(rest, " \t\r\n,")))
		}
	}
	return p.lineOf(base)
}
