package execprocess

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestParseUser(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    specs.User
		wantErr bool
	}{
		{"0", specs.User{}, false},
		{"1000", specs.User{UID: 1000}, false},
		{"1000:100", specs.User{UID: 1000, GID: 100}, false},
		{"root", specs.User{}, true},
		{"1000:users", specs.User{}, true},
		{"-1", specs.User{}, true},
		{"4294967296", specs.User{}, true},
	} {
		got, err := ParseUser(tc.in)
		if (err != nil) != tc.wantErr || got.UID != tc.want.UID || got.GID != tc.want.GID {
			t.Errorf("ParseUser(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
		if err != nil && err.Error() != `invalid --user "`+tc.in+`": want numeric UID[:GID]` {
			t.Errorf("ParseUser(%q): error %q", tc.in, err)
		}
	}
}

func TestApply(t *testing.T) {
	p := &specs.Process{
		Args: []string{"sh"}, Terminal: true, ConsoleSize: &specs.Box{Height: 24, Width: 80},
		Env: []string{"PATH=/bin", "A=1"}, Cwd: "/",
		User:         specs.User{UID: 1000, GID: 1000, AdditionalGids: []uint32{10}},
		Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_CHOWN"}},
	}
	err := Apply(p, Overrides{
		Args: []string{"id", "-u"}, Env: []string{"A=2", "B=3"}, Cwd: "/tmp", User: "0:0",
		AdditionalGids: []int{20}, Caps: []string{"CAP_NET_ADMIN"}, NoNewPrivileges: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &specs.Process{
		Args: []string{"id", "-u"}, Env: []string{"PATH=/bin", "A=2", "B=3"}, Cwd: "/tmp",
		User: specs.User{AdditionalGids: []uint32{20}},
		Capabilities: &specs.LinuxCapabilities{
			Bounding: []string{"CAP_CHOWN", "CAP_NET_ADMIN"}, Effective: []string{"CAP_NET_ADMIN"},
			Permitted: []string{"CAP_NET_ADMIN"}, Inheritable: []string{"CAP_NET_ADMIN"}, Ambient: []string{"CAP_NET_ADMIN"},
		},
		NoNewPrivileges: true,
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("Apply:\n got %+v\nwant %+v", p, want)
	}
	if err := Apply(&specs.Process{}, Overrides{User: "nobody"}); err == nil {
		t.Error("Apply with --user nobody gave no error")
	}
	// Without --user the process keeps its own, and the groups are added.
	q := &specs.Process{User: specs.User{UID: 5, GID: 6}}
	if err := Apply(q, Overrides{AdditionalGids: []int{7}}); err != nil {
		t.Fatal(err)
	}
	if q.User.UID != 5 || q.User.GID != 6 || !reflect.DeepEqual(q.User.AdditionalGids, []uint32{7}) || q.Capabilities != nil {
		t.Errorf("Apply without --user: %+v", q)
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "process.json")
	if err := os.WriteFile(good, []byte(`{"args":["true"],"cwd":"/","user":{"uid":0,"gid":0}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Read(good)
	if err != nil || !reflect.DeepEqual(p.Args, []string{"true"}) {
		t.Fatalf("Read = %+v, %v", p, err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"args":`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(bad); err == nil || !strings.HasPrefix(err.Error(), "parse process file "+bad+": ") {
		t.Errorf("Read(bad) = %v", err)
	}
	if _, err := Read(filepath.Join(dir, "none")); err == nil || !strings.HasPrefix(err.Error(), "read process file: ") {
		t.Errorf("Read(missing) = %v", err)
	}
}
