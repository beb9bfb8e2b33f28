// Package learnprofile is the format of what `ward learn` writes: the
// least privilege one image's workload was seen to need, bound to the
// image's digest. It is data only, read by the spec builder
// (`ward run --profile`) and written by internal/learn.
//
// Format, version 1 (JSON):
//
//	{
//	  "wardProfile": 1,
//	  "image": "sha256:...",               the image ID (config digest) it applies to
//	  "user": "65534:65534",               UID:GID the workload ran as
//	  "capabilities": ["CAP_NET_BIND_SERVICE"],  what it needed, minimized by replay
//	  "observedCapabilities": [...],       granted by the kernel while learning, before minimization
//	  "readOnlyRoot": true,                false when it wrote a file directly under /
//	  "writablePaths": [{"path": "/tmp", "exec": false}],
//	  "seccomp": { Docker's seccomp profile format: defaultAction
//	               SCMP_ACT_ERRNO, the observed names under SCMP_ACT_ALLOW },
//	  "network": {                         optional: see below
//	    "destinations": [{"address": "10.88.0.1", "port": 8080, "protocol": "tcp"},
//	                     {"address": "10.255.255.53", "port": 53, "protocol": "udp", "dns": true}],
//	    "listening": [{"address": "0.0.0.0", "port": 8080, "protocol": "tcp"}]
//	  },
//	  "learned": { "command": [...], "exercise": "...", "kernel": "..." }   informative
//	}
//
// A reader refuses a version it does not know, and a field it does not
// know.
//
// The network section was added to version 1 without a new version: it
// is optional, and a ward that predates it refuses a profile carrying it
// (naming the unknown field "network"), which is a refusal, not a
// misreading. Without it a profile says nothing about the network (it
// was learned before ward observed sockets) and applying it sets no
// egress policy; with it, empty destinations mean none was seen, and
// applying it on a bridge or user network denies all egress. A
// destination marked dns is one of the container's resolvers on port 53,
// allowed as `--egress allow=dns` wherever the profile is applied.
package learnprofile

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
)

// Version is the format version this package reads and writes.
const Version = 1

// Profile is one learned profile.
type Profile struct {
	Version              int             `json:"wardProfile"`
	Image                string          `json:"image"`
	User                 string          `json:"user"`
	Capabilities         []string        `json:"capabilities"`
	ObservedCapabilities []string        `json:"observedCapabilities,omitempty"`
	ReadOnlyRoot         bool            `json:"readOnlyRoot"`
	WritablePaths        []WritablePath  `json:"writablePaths"`
	Seccomp              json.RawMessage `json:"seccomp"`
	Network              *Network        `json:"network,omitempty"`
	Learned              Learned         `json:"learned"`
}

// WritablePath is a directory the workload wrote in, mounted as a tmpfs
// over a read-only root; Exec is set when it executed a file it wrote
// there (noexec otherwise).
type WritablePath struct {
	Path string `json:"path"`
	Exec bool   `json:"exec,omitempty"`
}

// Learned records how the profile was learned; nothing reads it back.
type Learned struct {
	Command  []string `json:"command,omitempty"`
	Exercise string   `json:"exercise,omitempty"`
	Kernel   string   `json:"kernel,omitempty"`
	Runtime  string   `json:"runtime,omitempty"`
}

// Seccomp is the part of Docker's seccomp format a learned profile uses.
type Seccomp struct {
	DefaultAction   string           `json:"defaultAction"`
	DefaultErrnoRet *uint            `json:"defaultErrnoRet,omitempty"`
	Architectures   []string         `json:"architectures"`
	Syscalls        []SeccompSyscall `json:"syscalls"`
}

// SeccompSyscall is one rule: names and the action for them.
type SeccompSyscall struct {
	Names  []string `json:"names"`
	Action string   `json:"action"`
}

// AllowList is Docker's format for an allow-list of names on x86_64:
// anything else fails with EPERM.
func AllowList(names []string) Seccomp {
	eperm := uint(1)
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	return Seccomp{
		DefaultAction:   "SCMP_ACT_ERRNO",
		DefaultErrnoRet: &eperm,
		Architectures:   []string{"SCMP_ARCH_X86_64"},
		Syscalls:        []SeccompSyscall{{Names: slices.Compact(sorted), Action: "SCMP_ACT_ALLOW"}},
	}
}

// AllowedSyscalls lists the names the profile's seccomp allows.
func (p *Profile) AllowedSyscalls() ([]string, error) {
	var s Seccomp
	if err := json.Unmarshal(p.Seccomp, &s); err != nil {
		return nil, fmt.Errorf("profile seccomp: %w", err)
	}
	var out []string
	for _, r := range s.Syscalls {
		if r.Action == "SCMP_ACT_ALLOW" {
			out = append(out, r.Names...)
		}
	}
	return out, nil
}

// Read reads and checks a profile file.
func Read(file string) (*Profile, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	p, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", file, err)
	}
	return p, nil
}

// Parse decodes and checks a profile.
func Parse(data []byte) (*Profile, error) {
	var p Profile
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("not a ward learn profile: %w", err)
	}
	if p.Version != Version {
		return nil, fmt.Errorf("profile version %d: this ward reads version %d", p.Version, Version)
	}
	if !strings.HasPrefix(p.Image, "sha256:") {
		return nil, fmt.Errorf("profile names no image digest (image %q)", p.Image)
	}
	for _, w := range p.WritablePaths {
		if !path.IsAbs(w.Path) || path.Clean(w.Path) != w.Path || w.Path == "/" {
			return nil, fmt.Errorf("writable path %q: want an absolute, clean path other than /", w.Path)
		}
	}
	if p.Network != nil {
		if err := p.Network.check(); err != nil {
			return nil, err
		}
	}
	var sec Seccomp
	if len(p.Seccomp) == 0 || json.Unmarshal(p.Seccomp, &sec) != nil || sec.DefaultAction == "" {
		return nil, fmt.Errorf("profile has no seccomp allow-list in Docker's format")
	}
	return &p, nil
}

// Write writes p to file, indented.
func (p *Profile) Write(file string) error {
	// "No capability" and "no writable path" are findings: written as
	// empty lists, not null, so a reader sees them stated.
	out := *p
	if out.Capabilities == nil {
		out.Capabilities = []string{}
	}
	if out.WritablePaths == nil {
		out.WritablePaths = []WritablePath{}
	}
	data, err := json.MarshalIndent(&out, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(file, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write profile: %w", err)
	}
	return nil
}

// TmpfsOptions are the mount options of a writable path: Docker's
// --tmpfs defaults, with exec only where the workload needed it.
func (w WritablePath) TmpfsOptions() string {
	if w.Exec {
		return "rw,nosuid,nodev,exec"
	}
	return "rw,nosuid,nodev,noexec"
}

// Flags are the `ward run` flags with the same effect as the profile
// (what `ward learn --convert --format flags` prints), then a -p for
// each port it listened on: `ward run --profile` publishes nothing (the
// host address is the user's choice), these are suggestions in Docker's
// form, which publishes on every host address. --egress applies on a
// bridge or user network only: leave it out with --network host or none.
func (p *Profile) Flags(seccompFile string) []string {
	out := []string{"--cap-drop", "ALL"}
	for _, c := range p.Capabilities {
		out = append(out, "--cap-add", strings.TrimPrefix(c, "CAP_"))
	}
	if p.User != "" {
		out = append(out, "--user", p.User)
	}
	if p.ReadOnlyRoot {
		out = append(out, "--read-only")
	}
	for _, w := range p.WritablePaths {
		out = append(out, "--tmpfs", w.Path+":"+w.TmpfsOptions())
	}
	out = append(out, "--security-opt", "seccomp="+seccompFile)
	if e := p.Egress(); e != "" {
		out = append(out, "--egress", e)
	}
	for _, port := range p.Ports() {
		out = append(out, "-p", port)
	}
	return out
}

// Modes of applying a profile (`ward run --profile-mode`).
const (
	// ModeEnforce refuses the system calls outside the profile (EPERM).
	ModeEnforce = "enforce"
	// ModeLog lets them through: the seccomp filter's default action is
	// SCMP_ACT_LOG, and ward reports each call outside the profile once.
	ModeLog = "log"
)

// SeccompFor is the profile's seccomp filter in mode ("" is enforce):
// in log mode the default action is SCMP_ACT_LOG instead of an errno,
// the allow-list unchanged.
func (p *Profile) SeccompFor(mode string) (json.RawMessage, error) {
	switch mode {
	case "", ModeEnforce:
		return p.Seccomp, nil
	case ModeLog:
	default:
		return nil, fmt.Errorf("profile mode %q: want %s or %s", mode, ModeEnforce, ModeLog)
	}
	var s Seccomp
	if err := json.Unmarshal(p.Seccomp, &s); err != nil {
		return nil, fmt.Errorf("profile seccomp: %w", err)
	}
	s.DefaultAction, s.DefaultErrnoRet = "SCMP_ACT_LOG", nil
	return json.Marshal(s)
}
