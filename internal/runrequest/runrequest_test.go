package runrequest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/learnprofile"
)

// given is a `changed` that reports the named flags as given.
func given(flags ...string) func(string) bool {
	return func(f string) bool { return slices.Contains(flags, f) }
}

// noConfig points ward's config file at a file that does not exist, and
// the default network's variable at nothing.
func noConfig(t *testing.T) {
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	t.Setenv("WARD_DEFAULT_NETWORK", "")
}

func TestRequestEnv(t *testing.T) {
	noConfig(t)
	envFile := filepath.Join(t.TempDir(), "env")
	if err := os.WriteFile(envFile, []byte("# comment\nA=from-file\nWARD_RUNREQUEST_HOST\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WARD_RUNREQUEST_HOST", "host value")
	f := Flags{EnvFiles: []string{envFile}}
	f.Options.Env = []string{"A=from-flag", "WARD_RUNREQUEST_UNSET"}
	req, err := f.Request([]string{"busybox", "echo", "hi"}, given())
	if err != nil {
		t.Fatal(err)
	}
	// The file's variables come first, so -e overrides them when merged.
	want := []string{"A=from-file", "WARD_RUNREQUEST_HOST=host value", "A=from-flag"}
	if !slices.Equal(req.Run.Env, want) {
		t.Errorf("Env = %q, want %q", req.Run.Env, want)
	}
	if req.Image != "busybox" || !slices.Equal(req.Run.Cmd, []string{"echo", "hi"}) {
		t.Errorf("Image, Cmd = %q, %q; want busybox, [echo hi]", req.Image, req.Run.Cmd)
	}
	if len(f.Options.Env) != 2 {
		t.Errorf("Request changed its flags: %q", f.Options.Env)
	}

	f = Flags{EnvFiles: []string{filepath.Join(t.TempDir(), "missing")}}
	if _, err := f.Request([]string{"busybox"}, given()); err == nil || !strings.HasPrefix(err.Error(), "--env-file: ") {
		t.Errorf("missing env file: error %v, want one naming --env-file", err)
	}
}

func TestRequestGivenFlags(t *testing.T) {
	noConfig(t)
	f := Flags{Entrypoint: "", PidsLimit: 0}
	f.Service.StopTimeout = 10
	req, err := f.Request([]string{"busybox"}, given())
	if err != nil {
		t.Fatal(err)
	}
	if req.Run.Entrypoint != nil || req.Run.PidsLimit != nil || req.Service.StopTimeout != nil {
		t.Errorf("flags not given are set: entrypoint %v, pids-limit %v, stop-timeout %v", req.Run.Entrypoint, req.Run.PidsLimit, req.Service.StopTimeout)
	}
	req, err = f.Request([]string{"busybox"}, given("entrypoint", "pids-limit", "stop-timeout"))
	if err != nil {
		t.Fatal(err)
	}
	if req.Run.Entrypoint == nil || *req.Run.Entrypoint != "" || req.Run.PidsLimit == nil || *req.Run.PidsLimit != 0 ||
		req.Service.StopTimeout == nil || *req.Service.StopTimeout != 10 {
		t.Errorf("flags given are not set: entrypoint %v, pids-limit %v, stop-timeout %v", req.Run.Entrypoint, req.Run.PidsLimit, req.Service.StopTimeout)
	}
}

func TestRequestMounts(t *testing.T) {
	noConfig(t)
	f := Flags{Mounts: []string{"type=bind,source=/srv,target=/data,readonly", "type=tmpfs,target=/tmp"}}
	req, err := f.Request([]string{"busybox"}, given())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(req.Run.Volumes, []string{"/srv:/data:ro"}) || !slices.Equal(req.Run.Mounts, []string{"type=tmpfs,target=/tmp"}) {
		t.Errorf("Volumes, Mounts = %q, %q; want the bind as a volume and the tmpfs as a mount", req.Run.Volumes, req.Run.Mounts)
	}
}

func TestRequestProfileModeLogDetached(t *testing.T) {
	noConfig(t)
	f := Flags{Detach: true, ProfileMode: learnprofile.ModeLog}
	if _, err := f.Request([]string{"busybox"}, given("profile-mode")); err == nil || !strings.Contains(err.Error(), "not with -d") {
		t.Errorf("--profile-mode log -d: error %v, want a refusal", err)
	}
	req, err := f.Request([]string{"busybox"}, given())
	if err != nil || req.Run.ProfileMode != "" {
		t.Errorf("--profile-mode not given: mode %q, error %v; want none", req.Run.ProfileMode, err)
	}
}

// The network: --network, else $WARD_DEFAULT_NETWORK, else the config
// file's default-network, else bridge. The config's userns applies
// unless --userns is given.
func TestRequestDefaults(t *testing.T) {
	noConfig(t)
	f := Flags{}
	req, err := f.Request([]string{"busybox"}, given())
	if err != nil || req.Run.Network != "bridge" {
		t.Errorf("no config: network %q, error %v; want bridge", req.Run.Network, err)
	}
	config := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(config, []byte(`{"default-network": "backend", "userns": "auto"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WARD_CONFIG", config)
	if req, err = f.Request([]string{"busybox"}, given()); err != nil || req.Run.Network != "backend" || req.Run.Userns != "auto" {
		t.Errorf("config: network %q, userns %q, error %v; want backend, auto", req.Run.Network, req.Run.Userns, err)
	}
	if req, err = f.Request([]string{"busybox"}, given("userns")); err != nil || req.Run.Userns != "" {
		t.Errorf("--userns given: userns %q, error %v; want the flag's", req.Run.Userns, err)
	}
	t.Setenv("WARD_DEFAULT_NETWORK", "none")
	if n, err := DefaultNetwork(); err != nil || n != "none" {
		t.Errorf("DefaultNetwork = %q, %v; want the variable's none", n, err)
	}
	f.Options.Network = "host"
	if req, err = f.Request([]string{"busybox"}, given()); err != nil || req.Run.Network != "host" {
		t.Errorf("--network host: network %q, error %v", req.Run.Network, err)
	}
}

func TestSplitLogOpts(t *testing.T) {
	got := SplitLogOpts([]string{"max-size=10m,max-file=3", "compress=false"})
	if want := []string{"max-size=10m", "max-file=3", "compress=false"}; !slices.Equal(got, want) {
		t.Errorf("SplitLogOpts = %q, want %q", got, want)
	}
}

func TestWithProfile(t *testing.T) {
	noConfig(t)
	req, err := (&Flags{}).Request([]string{"busybox"}, given())
	if err != nil {
		t.Fatal(err)
	}
	p := &learnprofile.Profile{User: "1000"}
	if got := WithProfile(req, p); got.Run.Profile != p || req.Run.Profile != nil {
		t.Errorf("WithProfile: profile %v (request's own %v), want p on the copy only", got.Run.Profile, req.Run.Profile)
	}
}
