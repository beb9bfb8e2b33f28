package dockerdiff

import (
	"slices"
	"testing"
)

func TestLineDiff(t *testing.T) {
	cases := []struct {
		name       string
		a, b, want []string
	}{
		{"equal", []string{"x", "y"}, []string{"x", "y"}, nil},
		{"extra line in the middle", []string{"x", "z"}, []string{"x", "y", "z"}, []string{`ward only:   "y"`}},
		{"changed line", []string{"x", "y"}, []string{"x", "Y"}, []string{`ward only:   "Y"`, `docker only: "y"`}},
		{"missing last line", []string{"x", "y"}, []string{"x"}, []string{`docker only: "y"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := lineDiff(c.a, c.b); !slices.Equal(got, c.want) {
				t.Errorf("lineDiff(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
			}
		})
	}
}

func TestCapAllDifference(t *testing.T) {
	cases := []struct {
		name       string
		host       uint64
		wantDocker string // empty: no difference expected
	}{
		{"kernel with capabilities Docker does not know", 0x1fffeffffff, "CapBnd:\t0000003ffeffffff"},
		{"kernel ending at CAP_AUDIT_READ", 0x3fffffffff, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := capAllDifference(c.host)
			switch {
			case c.wantDocker == "" && k != nil:
				t.Errorf("capAllDifference(%x) = %+v, want none", c.host, *k)
			case c.wantDocker != "" && (k == nil || k.docker != c.wantDocker):
				t.Errorf("capAllDifference(%x) = %+v, want docker line %q", c.host, k, c.wantDocker)
			}
		})
	}
}

func TestKnownForScopesCaseDifferences(t *testing.T) {
	const host = 0x3fffffffff // no capability Docker does not know
	cases := []struct {
		name, test string
		want       []string // docker lines of the case differences that apply
	}{
		{"another flag set", "TestDockerAndWardAgree/defaults_as_root", nil},
		{"detached, pipes as under Docker", "TestDockerAndWardAgree/detached_as_uid_1001", nil},
		{"one identity adds its own", "TestDockerAndWardAgree/tmpfs_with_options_as_named_user", []string{"dir /tmp: 1777 0:0", "write /tmp: ok", "chmod: ok"}},
		{"other identities do not", "TestDockerAndWardAgree/tmpfs_with_options_as_root", []string{"dir /tmp: 1777 0:0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, k := range knownFor(c.test, host)[len(knownDifferences):] {
				got = append(got, k.docker)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("knownFor(%q) adds %q, want %q", c.test, got, c.want)
			}
		})
	}
}
