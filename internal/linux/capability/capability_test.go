package capability

import (
	"slices"
	"strings"
	"testing"

	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestParse(t *testing.T) {
	s, err := Parse(&specs.LinuxCapabilities{
		Bounding:  []string{"CAP_NET_RAW", "CAP_CHOWN"},
		Effective: []string{"cap_chown"},
		Ambient:   []string{"CAP_NET_BIND_SERVICE"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Bounding) != 2 || s.Bounding[0] != capability.CAP_NET_RAW || s.Effective[0] != capability.CAP_CHOWN || s.Ambient[0] != capability.CAP_NET_BIND_SERVICE {
		t.Errorf("parsed %+v", s)
	}
	for _, bad := range []struct{ set, name string }{
		{"effective", "CAP_BOGUS"}, {"bounding", "NET_ADMIN"}, {"ambient", ""},
	} {
		caps := &specs.LinuxCapabilities{}
		switch bad.set {
		case "effective":
			caps.Effective = []string{bad.name}
		case "bounding":
			caps.Bounding = []string{bad.name}
		case "ambient":
			caps.Ambient = []string{bad.name}
		}
		_, err := Parse(caps)
		if err == nil || !strings.Contains(err.Error(), "unknown capability") || !strings.Contains(err.Error(), bad.set) {
			t.Errorf("Parse(%s %q): %v", bad.set, bad.name, err)
		}
	}
	if s, err := Parse(nil); err != nil || len(s.Bounding)+len(s.Effective) != 0 {
		t.Errorf("Parse(nil) = %+v, %v", s, err)
	}
}

func TestKnownRoundTrips(t *testing.T) {
	names := Known()
	if len(names) < 38 {
		t.Fatalf("only %d capabilities known", len(names))
	}
	if _, err := Parse(&specs.LinuxCapabilities{Bounding: names}); err != nil {
		t.Fatalf("a known name does not parse: %v", err)
	}
}

func TestSkipUnraisableAmbient(t *testing.T) {
	// runc spec's default: three ambient capabilities, none inheritable.
	s, err := Parse(&specs.LinuxCapabilities{
		Permitted:   []string{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"},
		Inheritable: []string{"CAP_KILL"},
		Ambient:     []string{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"},
	})
	if err != nil {
		t.Fatal(err)
	}
	skipped := s.SkipUnraisableAmbient()
	if want := []string{"CAP_AUDIT_WRITE", "CAP_NET_BIND_SERVICE"}; !slices.Equal(skipped, want) {
		t.Errorf("skipped %v, want %v", skipped, want)
	}
	if !slices.Equal(s.Ambient, []capability.Cap{capability.CAP_KILL}) {
		t.Errorf("ambient after skipping: %v, want [kill]", s.Ambient)
	}
	if again := s.SkipUnraisableAmbient(); len(again) != 0 {
		t.Errorf("a second pass skipped %v", again)
	}
}
