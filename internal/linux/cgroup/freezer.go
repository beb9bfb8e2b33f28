package cgroup

import (
	"fmt"
	"strings"
	"time"
)

// freezeTimeout bounds how long Freeze waits for every task to stop.
const freezeTimeout = 5 * time.Second

// Freeze stops every process in the cgroup (pause) and waits until the
// kernel reports them frozen. Legacy and hybrid hosts use the v1 freezer,
// unified hosts cgroup.freeze. If the processes do not all stop in time the
// cgroup is thawed again and Freeze fails.
func (m *Manager) Freeze() error {
	if dir, ok := m.paths["freezer"]; ok {
		return freezeV1(dir)
	}
	if dir, ok := m.paths[UnifiedKey]; ok {
		return freezeV2(dir)
	}
	return fmt.Errorf("freeze cgroup: no freezer hierarchy: %w", ErrNotSupported)
}

// Thaw resumes every process Freeze stopped.
func (m *Manager) Thaw() error {
	if dir, ok := m.paths["freezer"]; ok {
		if err := writeFile(dir, "freezer.state", "THAWED"); err != nil {
			return fmt.Errorf("thaw cgroup: %w", err)
		}
		return waitFor(dir, "freezer.state", func(s string) bool { return s == "THAWED" })
	}
	if dir, ok := m.paths[UnifiedKey]; ok {
		if err := writeFile(dir, "cgroup.freeze", "0"); err != nil {
			return fmt.Errorf("thaw cgroup: %w", err)
		}
		return waitFor(dir, "cgroup.events", func(s string) bool { return eventValue(s, "frozen") == "0" })
	}
	return fmt.Errorf("thaw cgroup: no freezer hierarchy: %w", ErrNotSupported)
}

// Frozen tells whether the cgroup has been frozen (paused).
func (m *Manager) Frozen() (bool, error) {
	if dir, ok := m.paths["freezer"]; ok {
		s, err := readFile(dir, "freezer.state")
		return s == "FROZEN", err
	}
	if dir, ok := m.paths[UnifiedKey]; ok {
		s, err := readFile(dir, "cgroup.freeze")
		return s == "1", err
	}
	return false, fmt.Errorf("read freezer state: no freezer hierarchy: %w", ErrNotSupported)
}

func freezeV1(dir string) error {
	deadline := time.Now().Add(freezeTimeout)
	for i := 0; ; i++ {
		// A task that was mid-fork or asleep in the kernel can keep the
		// cgroup FREEZING for good: as runc does, thaw it now and then,
		// give the tasks a moment, and freeze again.
		if i%200 == 199 {
			if err := writeFile(dir, "freezer.state", "THAWED"); err != nil {
				return fmt.Errorf("freeze cgroup: %w", err)
			}
			time.Sleep(10 * time.Millisecond)
		}
		// Writing FROZEN again nudges tasks that were mid-fork the first time.
		if i%25 == 0 || i%200 == 199 {
			if err := writeFile(dir, "freezer.state", "FROZEN"); err != nil {
				return fmt.Errorf("freeze cgroup: %w", err)
			}
		}
		s, err := readFile(dir, "freezer.state")
		if err != nil {
			return fmt.Errorf("freeze cgroup: %w", err)
		}
		if s == "FROZEN" {
			return nil
		}
		if time.Now().After(deadline) {
			_ = writeFile(dir, "freezer.state", "THAWED")
			return fmt.Errorf("freeze cgroup %s: still %s after %s", dir, s, freezeTimeout)
		}
		time.Sleep(time.Millisecond)
	}
}

func freezeV2(dir string) error {
	if err := writeFile(dir, "cgroup.freeze", "1"); err != nil {
		return fmt.Errorf("freeze cgroup: %w", err)
	}
	err := waitFor(dir, "cgroup.events", func(s string) bool { return eventValue(s, "frozen") == "1" })
	if err != nil {
		_ = writeFile(dir, "cgroup.freeze", "0")
		return fmt.Errorf("freeze cgroup: %w", err)
	}
	return nil
}

// waitFor polls a cgroup file until done accepts its content.
func waitFor(dir, name string, done func(string) bool) error {
	deadline := time.Now().Add(freezeTimeout)
	for {
		s, err := readFile(dir, name)
		if err != nil {
			return err
		}
		if done(s) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("wait for %s/%s: still %q after %s", dir, name, s, freezeTimeout)
		}
		time.Sleep(time.Millisecond)
	}
}

// eventValue returns one key's value from a keyed file like cgroup.events.
func eventValue(content, key string) string {
	for _, line := range strings.Split(content, "\n") {
		if k, v, ok := strings.Cut(line, " "); ok && k == key {
			return v
		}
	}
	return ""
}
