package learnprofile

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func valid(t *testing.T) *Profile {
	t.Helper()
	sec, err := json.Marshal(AllowList([]string{"write", "read", "read"}))
	if err != nil {
		t.Fatal(err)
	}
	return &Profile{Version: Version, Image: "sha256:ab", User: "1:1", Capabilities: []string{},
		ReadOnlyRoot: true, WritablePaths: []WritablePath{{Path: "/tmp"}}, Seccomp: sec}
}

func TestRoundTrip(t *testing.T) {
	p := valid(t)
	file := filepath.Join(t.TempDir(), "p.json")
	if err := p.Write(file); err != nil {
		t.Fatal(err)
	}
	got, err := Read(file)
	if err != nil {
		t.Fatal(err)
	}
	calls, err := got.AllowedSyscalls()
	if err != nil || !slices.Equal(calls, []string{"read", "write"}) {
		t.Errorf("allowed %v, %v: want [read write], sorted and without duplicates", calls, err)
	}
}

func TestParseRefuses(t *testing.T) {
	for name, edit := range map[string]func(*Profile){
		"another version":  func(p *Profile) { p.Version = 2 },
		"no digest":        func(p *Profile) { p.Image = "busybox" },
		"relative path":    func(p *Profile) { p.WritablePaths = []WritablePath{{Path: "tmp"}} },
		"the root":         func(p *Profile) { p.WritablePaths = []WritablePath{{Path: "/"}} },
		"unclean path":     func(p *Profile) { p.WritablePaths = []WritablePath{{Path: "/tmp/../etc"}} },
		"no seccomp":       func(p *Profile) { p.Seccomp = nil },
		"seccomp not JSON": func(p *Profile) { p.Seccomp = json.RawMessage(`"x"`) },
	} {
		t.Run(name, func(t *testing.T) {
			p := valid(t)
			edit(p)
			data, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Parse(data); err == nil {
				t.Errorf("Parse accepted a profile with %s", name)
			}
		})
	}
	if _, err := Parse([]byte(`{"wardProfile":1,"image":"sha256:ab","seccomp":{},"surprise":1}`)); err == nil || !strings.Contains(err.Error(), "surprise") {
		t.Errorf("an unknown field: %v", err)
	}
}

func TestComposeService(t *testing.T) {
	p := valid(t)
	p.Capabilities = []string{"CAP_NET_BIND_SERVICE"}
	out, err := p.ComposeService("app", "p-seccomp.json")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Services map[string]struct {
			Image       string   `yaml:"image"`
			User        string   `yaml:"user"`
			CapDrop     []string `yaml:"cap_drop"`
			CapAdd      []string `yaml:"cap_add"`
			ReadOnly    bool     `yaml:"read_only"`
			Tmpfs       []string `yaml:"tmpfs"`
			SecurityOpt []string `yaml:"security_opt"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	s := got.Services["app"]
	if s.Image != "sha256:ab" || s.User != "1:1" || !slices.Equal(s.CapDrop, []string{"ALL"}) ||
		!slices.Equal(s.CapAdd, []string{"NET_BIND_SERVICE"}) || !s.ReadOnly ||
		!slices.Equal(s.Tmpfs, []string{"/tmp:rw,nosuid,nodev,noexec"}) ||
		!slices.Equal(s.SecurityOpt, []string{"seccomp=p-seccomp.json"}) {
		t.Errorf("compose service:\n%s", out)
	}
}

func TestKubernetesContainer(t *testing.T) {
	p := valid(t)
	p.User = "65534:65534"
	out, err := p.KubernetesContainer("app", "ward/p-seccomp.json")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Containers []struct {
			SecurityContext struct {
				RunAsUser              int64 `yaml:"runAsUser"`
				RunAsGroup             int64 `yaml:"runAsGroup"`
				RunAsNonRoot           bool  `yaml:"runAsNonRoot"`
				ReadOnlyRootFilesystem bool  `yaml:"readOnlyRootFilesystem"`
				Capabilities           struct {
					Drop []string `yaml:"drop"`
				} `yaml:"capabilities"`
				SeccompProfile struct {
					Type, LocalhostProfile string
				} `yaml:"seccompProfile"`
			} `yaml:"securityContext"`
			VolumeMounts []struct {
				Name      string `yaml:"name"`
				MountPath string `yaml:"mountPath"`
			} `yaml:"volumeMounts"`
		} `yaml:"containers"`
		Volumes []struct {
			Name string `yaml:"name"`
		} `yaml:"volumes"`
	}
	if err := yaml.Unmarshal(out, &got); err != nil || len(got.Containers) != 1 {
		t.Fatalf("%v\n%s", err, out)
	}
	sc := got.Containers[0].SecurityContext
	if sc.RunAsUser != 65534 || sc.RunAsGroup != 65534 || !sc.RunAsNonRoot || !sc.ReadOnlyRootFilesystem ||
		!slices.Equal(sc.Capabilities.Drop, []string{"ALL"}) ||
		!strings.Contains(string(out), "type: Localhost") || !strings.Contains(string(out), "localhostProfile: ward/p-seccomp.json") {
		t.Errorf("securityContext:\n%s", out)
	}
	vm := got.Containers[0].VolumeMounts
	if len(vm) != 1 || vm[0].MountPath != "/tmp" || len(got.Volumes) != 1 || got.Volumes[0].Name != vm[0].Name {
		t.Errorf("volumes:\n%s", out)
	}
	p.User = "www-data"
	if _, err := p.KubernetesContainer("app", "x.json"); err == nil {
		t.Error("a non-numeric user converted to Kubernetes")
	}
}

func TestSeccompForLogMode(t *testing.T) {
	p := valid(t)
	raw, err := p.SeccompFor(ModeLog)
	if err != nil {
		t.Fatal(err)
	}
	var s Seccomp
	if err := json.Unmarshal(raw, &s); err != nil || s.DefaultAction != "SCMP_ACT_LOG" || s.DefaultErrnoRet != nil ||
		len(s.Syscalls) != 1 || !slices.Equal(s.Syscalls[0].Names, []string{"read", "write"}) {
		t.Errorf("log mode seccomp %s, %v: want SCMP_ACT_LOG by default, the allow-list unchanged", raw, err)
	}
	if raw, err := p.SeccompFor(""); err != nil || string(raw) != string(p.Seccomp) {
		t.Errorf("enforce mode changed the filter: %s, %v", raw, err)
	}
	if _, err := p.SeccompFor("complain"); err == nil {
		t.Error("an unknown mode was accepted")
	}
}
