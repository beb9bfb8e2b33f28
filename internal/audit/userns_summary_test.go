package audit_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/audit/rules"
)

// A spec whose process is uid 0 in a user namespace mapping it to host
// uid 100000 (--userns auto) is not root to the host: WD100 does not
// fire, and the non-root answer says why. The same spec without the
// user namespace is root: WD100 fires and nothing is said of mappings.
func TestCheckSaysRootIsMappedAway(t *testing.T) {
	dir := t.TempDir()
	spec := func(name string, userns bool) string {
		s := specs.Spec{
			Version: specs.Version,
			Process: &specs.Process{Args: []string{"sh"}, User: specs.User{UID: 0, GID: 0}},
			Root:    &specs.Root{Path: "rootfs"},
			Linux:   &specs.Linux{},
		}
		if userns {
			s.Linux.Namespaces = []specs.LinuxNamespace{{Type: specs.UserNamespace}}
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
			s.Linux.GIDMappings = s.Linux.UIDMappings
		}
		data, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		d := filepath.Join(dir, name)
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(d, "config.json")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		userns     bool
		wd100      bool
		answer     string
		saysMapped bool
	}{
		{userns: true, wd100: false, answer: "yes", saysMapped: true},
		{userns: false, wd100: true, answer: "no", saysMapped: false},
	} {
		name := map[bool]string{true: "mapped", false: "host"}[tc.userns]
		r, err := audit.Check([]string{spec(name, tc.userns)}, audit.Options{Rules: []audit.Rule{rules.RunsAsRoot}})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Errors) > 0 {
			t.Fatalf("%s: %v", name, r.Errors)
		}
		if got := len(r.Findings) > 0; got != tc.wd100 {
			t.Errorf("%s: WD100 fires %v, want %v (%+v)", name, got, tc.wd100, r.Findings)
		}
		q := r.Summary.Questions[0]
		if q.Question != "Runs as non-root?" || q.Answer != tc.answer {
			t.Errorf("%s: %+v, want answer %q", name, q, tc.answer)
		}
		if got := strings.Contains(q.Detail, "1 run as uid 0 inside a user namespace that maps it to an unprivileged host uid"); got != tc.saysMapped {
			t.Errorf("%s: detail %q, says mapped %v, want %v", name, q.Detail, got, tc.saysMapped)
		}
	}
}
