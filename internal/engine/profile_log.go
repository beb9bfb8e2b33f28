package engine

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/linux/observe"
	"github.com/wardproject/ward/internal/linux/seccomp"
	"github.com/wardproject/ward/internal/record"
)

// profileDenialsPoll is how often the observer's map is read while the
// container runs: a call is reported within this long of its first use.
const profileDenialsPoll = 200 * time.Millisecond

// watchProfileDenials watches a container whose filter lets the calls
// outside its allow-list through and logs them (default action
// SCMP_ACT_LOG, what --profile-mode log builds). It reads the spec the
// runtime will receive, not the flags: what is reported is what the
// filter really lets through. The kernel's own log of SCMP_ACT_LOG goes
// to the audit log or is rate-limited in the kernel ring buffer, and
// names host pids, so ward observes the container's cgroup with the
// same eBPF programs as `ward learn` (internal/linux/observe), attached
// before the runtime starts, and reports each call outside the
// allow-list once: a line on notices and a line in the records
// directory. stop reads the map a last time and detaches. A container
// without such a filter gets a stop that does nothing.
func (e *Engine) watchProfileDenials(c *record.Container, notices io.Writer) (stop func(), err error) {
	specFile := filepath.Join(e.BundleDir(c.ID), "config.json")
	logged, err := logsSeccompDefault(specFile)
	if err != nil {
		return nil, err
	}
	if !logged {
		return func() {}, nil
	}
	spec, err := readBundleSpec(specFile)
	if err != nil {
		return nil, err
	}
	if spec.Linux == nil || spec.Linux.Seccomp == nil || spec.Linux.Seccomp.DefaultAction != specs.ActLog {
		return func() {}, nil
	}
	if spec.Linux.CgroupsPath == "" {
		return nil, fmt.Errorf("container %s: --profile-mode log: the spec names no cgroup to observe", c.ShortName())
	}
	allowed := allowedCalls(spec.Linux.Seccomp)
	_, id, removeCgroup, err := observe.PrepareCgroup(spec.Linux.CgroupsPath)
	if err != nil {
		return nil, fmt.Errorf("container %s: --profile-mode log: %w", c.ShortName(), err)
	}
	obs, err := observe.Attach(id)
	if err != nil {
		removeCgroup()
		return nil, fmt.Errorf("container %s: --profile-mode log: %w", c.ShortName(), err)
	}
	if notices == nil {
		notices = io.Discard
	}
	file := filepath.Join(e.Records.Dir(c.ID), record.ProfileDenialsFile)
	seen := map[string]bool{}
	for _, name := range record.ReadProfileDenials(file) {
		seen[name] = true // reported by an earlier run of the container
	}
	var mu sync.Mutex
	poll := func() {
		mu.Lock()
		defer mu.Unlock()
		nrs, err := obs.SyscallsInOrder()
		if err != nil {
			fmt.Fprintf(notices, "ward: container %s: --profile-mode log: %v\n", c.ShortName(), err)
			return
		}
		var lines []byte
		for _, nr := range nrs {
			name, ok := seccomp.SyscallNameX86_64(nr)
			if !ok {
				name = fmt.Sprintf("%d", nr)
			}
			if allowed[name] || seen[name] {
				continue
			}
			seen[name] = true
			fmt.Fprintf(notices, "ward: container %s: system call %s is outside its profile (let through: --profile-mode log)\n", c.ShortName(), name)
			lines = append(lines, name+"\n"...)
		}
		if len(lines) > 0 {
			// The records directory is gone once a --rm container is
			// removed: nothing is left to inspect then.
			if f, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
				f.Write(lines)
				f.Close()
			}
		}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(profileDenialsPoll)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				poll()
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		poll()
		// Never say clean about what was not seen.
		if armed, err := obs.Armed(); err != nil || !armed {
			fmt.Fprintf(notices, "ward: container %s: --profile-mode log: the observer never saw the workload's exec: calls outside the profile are unknown\n", c.ShortName())
		}
		obs.Close()
		removeCgroup()
	}, nil
}

// allowedCalls are the names the filter allows unconditionally; a rule
// with argument conditions is not counted, so a call it lets through only
// sometimes is reported rather than missed.
func allowedCalls(s *specs.LinuxSeccomp) map[string]bool {
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

// logsSeccompDefault tells whether the spec in file sets its seccomp
// filter's default action to SCMP_ACT_LOG. It decodes that one field:
// the whole spec, decoded on every Supervise, cost encoding/json's
// first walk over all of the spec's types (about 0.5 ms of a short `ward
// run`) to learn, nearly always, that nothing is to be watched.
func logsSeccompDefault(file string) (bool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return false, fmt.Errorf("read spec: %w", err)
	}
	var probe struct {
		Linux *struct {
			Seccomp *struct {
				DefaultAction specs.LinuxSeccompAction `json:"defaultAction"`
			} `json:"seccomp"`
		} `json:"linux"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return false, fmt.Errorf("spec %s: %w", file, err)
	}
	return probe.Linux != nil && probe.Linux.Seccomp != nil && probe.Linux.Seccomp.DefaultAction == specs.ActLog, nil
}

func readBundleSpec(file string) (*specs.Spec, error) {
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
