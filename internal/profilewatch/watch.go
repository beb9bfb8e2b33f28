// Package profilewatch reports the system calls a container makes outside
// its learned profile when the profile is applied in log mode (`ward run
// --profile P --profile-mode log`): the seccomp filter's default action is
// SCMP_ACT_LOG, so those calls go through, and a Watcher names each one
// once, in the container's records directory (inspect's
// .State.ProfileDenials) and as a line on a notices writer.
//
// The kernel's own log of SCMP_ACT_LOG goes to the audit log or is
// rate-limited in the kernel ring buffer and names host pids, so the
// Watcher observes the container's cgroup with the eBPF programs of
// internal/linux/observe, attached before the runtime creates the
// container. It reads the spec the runtime receives, not the flags: what
// is reported is what the filter really lets through.
//
// Two hosts of a Watcher: a foreground `ward run` (internal/engine), and,
// for a detached container, ward-observe, a process its monitor starts
// beside it only for a container in log mode (serve.go), so that the
// monitor of every other container links and maps no BPF code.
package profilewatch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/denialfile"
	"github.com/wardproject/ward/internal/linux/observe"
	"github.com/wardproject/ward/internal/linux/seccomp"
)

// Poll is how often the observer's map is read while the container runs:
// a call is reported within this long of its first use.
const Poll = 200 * time.Millisecond

// LogMode tells whether the spec's filter lets the calls outside its
// allow-list through and logs them: what --profile-mode log builds.
func LogMode(s *specs.Spec) bool {
	return s != nil && s.Linux != nil && s.Linux.Seccomp != nil && s.Linux.Seccomp.DefaultAction == specs.ActLog
}

// LogModeSpec reads a bundle's config.json when its filter is in log
// mode (LogMode), and returns nil otherwise. It decodes only the filter's
// default action first: the whole spec's decoding is the larger part of
// reading it, and every foreground `ward run` asks.
func LogModeSpec(bundleDir string) (*specs.Spec, error) {
	file := filepath.Join(bundleDir, "config.json")
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	if !bytes.Contains(data, []byte(specs.ActLog)) {
		// ward writes the spec with encoding/json, which spells the
		// action as is: a spec that never names it is not in log mode,
		// and the decoder's walk over its text is saved.
		return nil, nil
	}
	var probe struct {
		Linux *struct {
			Seccomp *struct {
				DefaultAction specs.LinuxSeccompAction `json:"defaultAction"`
			} `json:"seccomp"`
		} `json:"linux"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("spec %s: %w", file, err)
	}
	if probe.Linux == nil || probe.Linux.Seccomp == nil || probe.Linux.Seccomp.DefaultAction != specs.ActLog {
		return nil, nil
	}
	var s specs.Spec
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("spec %s: %w", file, err)
	}
	return &s, nil
}

// ReadSpec reads a bundle's config.json.
func ReadSpec(bundleDir string) (*specs.Spec, error) {
	file := filepath.Join(bundleDir, "config.json")
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	var s specs.Spec
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("spec %s: %w", file, err)
	}
	return &s, nil
}

// Watcher watches one run of one container in log mode.
type Watcher struct {
	name         string // the container's name, in notices
	notices      io.Writer
	file         string // the records directory's profile-denials
	allowed      map[string]bool
	obs          *observe.Observer
	removeCgroup func()

	mu   sync.Mutex
	seen map[string]bool
}

// Start prepares the cgroup the spec names (so that its ID is known
// before the runtime puts the container in it) and attaches the
// observer. recordsDir is the container's records directory, name its
// name in notices (nil: none). The spec must be in log mode.
func Start(s *specs.Spec, recordsDir, name string, notices io.Writer) (*Watcher, error) {
	if !LogMode(s) {
		return nil, fmt.Errorf("container %s: its seccomp filter does not log the calls outside its profile", name)
	}
	if s.Linux.CgroupsPath == "" {
		return nil, fmt.Errorf("container %s: --profile-mode log: the spec names no cgroup to observe", name)
	}
	_, id, removeCgroup, err := observe.PrepareCgroup(s.Linux.CgroupsPath)
	if err != nil {
		return nil, fmt.Errorf("container %s: --profile-mode log: %w", name, err)
	}
	obs, err := observe.Attach(id)
	if err != nil {
		removeCgroup()
		return nil, fmt.Errorf("container %s: --profile-mode log: %w", name, err)
	}
	if notices == nil {
		notices = io.Discard
	}
	w := &Watcher{
		name: name, notices: notices, file: filepath.Join(recordsDir, denialfile.Denials),
		allowed: AllowedCalls(s.Linux.Seccomp), obs: obs, removeCgroup: removeCgroup, seen: map[string]bool{},
	}
	for _, n := range denialfile.Read(w.file) {
		w.seen[n] = true // reported by an earlier run of the container
	}
	return w, nil
}

// Poll reads the observer's map and reports the calls outside the
// profile not reported yet.
func (w *Watcher) Poll() {
	w.mu.Lock()
	defer w.mu.Unlock()
	nrs, err := w.obs.SyscallsInOrder()
	if err != nil {
		fmt.Fprintf(w.notices, "ward: container %s: --profile-mode log: %v\n", w.name, err)
		return
	}
	var lines []string
	for _, nr := range nrs {
		name, ok := seccomp.SyscallNameX86_64(nr)
		if !ok {
			name = fmt.Sprintf("%d", nr)
		}
		if w.allowed[name] || w.seen[name] {
			continue
		}
		w.seen[name] = true
		fmt.Fprintf(w.notices, "ward: container %s: system call %s is outside its profile (let through: --profile-mode log)\n", w.name, name)
		lines = append(lines, name)
	}
	if err := denialfile.Append(w.file, lines...); err != nil {
		fmt.Fprintf(w.notices, "ward: container %s: --profile-mode log: %v\n", w.name, err)
	}
}

// Run polls every Poll until done closes.
func (w *Watcher) Run(done <-chan struct{}) {
	t := time.NewTicker(Poll)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			w.Poll()
		case <-done:
			return
		}
	}
}

// Stop reads the map a last time, detaches the programs and removes the
// cgroup directories Start made (a runtime's delete may have removed
// them already; a cgroup still holding a process stays). It tells
// whether the observer saw the workload's exec: when it did not, the
// calls outside the profile are unknown, never "none".
func (w *Watcher) Stop() (sawExec bool) {
	w.Poll()
	armed, err := w.obs.Armed()
	w.obs.Close()
	w.removeCgroup()
	return err == nil && armed
}

// AllowedCalls are the names the filter allows unconditionally; a rule
// with argument conditions is not counted, so a call it lets through only
// sometimes is reported rather than missed.
func AllowedCalls(s *specs.LinuxSeccomp) map[string]bool {
	out := map[string]bool{}
	for _, r := range s.Syscalls {
		if r.Action == specs.ActAllow && len(r.Args) == 0 {
			for _, n := range r.Names {
				out[n] = true
			}
		}
	}
	return out
}
