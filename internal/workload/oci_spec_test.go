package workload

import (
	"encoding/json"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func readSpec(t *testing.T, s *specs.Spec) Workload {
	t.Helper()
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := ReadOCIConfig("config.json", data)
	if err != nil {
		t.Fatal(err)
	}
	return ws[0]
}

// Root is the uid the host sees: process.user.uid, mapped through
// linux.uidMappings when the container has a user namespace of its own.
func TestOCIRootIsTheHostUID(t *testing.T) {
	userns := []specs.LinuxNamespace{{Type: specs.UserNamespace}, {Type: specs.MountNamespace}}
	mapping := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
	for _, tc := range []struct {
		name string
		uid  uint32
		lin  *specs.Linux
		root bool
	}{
		{"uid 0, no user namespace", 0, &specs.Linux{}, true},
		{"uid 1000, no user namespace", 1000, &specs.Linux{}, false},
		{"no linux section", 0, nil, true},
		{"uid 0 mapped to 100000", 0, &specs.Linux{Namespaces: userns, UIDMappings: mapping}, false},
		{"uid 1000 mapped to 101000", 1000, &specs.Linux{Namespaces: userns, UIDMappings: mapping}, false},
		{"uid 0 mapped to the host's 0", 0, &specs.Linux{Namespaces: userns, UIDMappings: []specs.LinuxIDMapping{{ContainerID: 0, HostID: 0, Size: 1}}}, true},
		{"uid 5 mapped to 0", 5, &specs.Linux{Namespaces: userns, UIDMappings: []specs.LinuxIDMapping{{ContainerID: 5, HostID: 0, Size: 1}}}, true},
		{"uid 0 not mapped", 0, &specs.Linux{Namespaces: userns, UIDMappings: []specs.LinuxIDMapping{{ContainerID: 1, HostID: 100000, Size: 10}}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := readSpec(t, &specs.Spec{Version: "1.0.2", Process: &specs.Process{User: specs.User{UID: tc.uid}}, Linux: tc.lin})
			if w.User.IsRoot() != tc.root {
				t.Errorf("IsRoot() = %v, want %v (user %+v)", w.User.IsRoot(), tc.root, w.User)
			}
		})
	}
}

// Capabilities are every set the process can hold, not only bounding.
func TestOCICapabilitiesAreTheFiveSets(t *testing.T) {
	w := readSpec(t, &specs.Spec{Version: "1.0.2", Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{
		Bounding: []string{"CAP_CHOWN"}, Effective: []string{"CAP_SYS_ADMIN"}, Ambient: []string{"CAP_NET_ADMIN"},
		Inheritable: []string{"CAP_BPF"}, Permitted: []string{"CAP_SYS_PTRACE"},
	}}})
	want := []string{"BPF", "CHOWN", "NET_ADMIN", "SYS_ADMIN", "SYS_PTRACE"}
	if len(w.Capabilities) != len(want) {
		t.Fatalf("capabilities %v, want %v", w.Capabilities, want)
	}
	for i := range want {
		if w.Capabilities[i] != want[i] {
			t.Errorf("capabilities %v, want %v", w.Capabilities, want)
		}
	}
}

// The network files an engine writes per container are not host paths the
// user mounted; the host's own /etc files are.
func TestOCIEngineNetworkFiles(t *testing.T) {
	w := readSpec(t, &specs.Spec{Version: "1.0.2", Mounts: []specs.Mount{
		{Destination: "/etc/hosts", Type: "bind", Source: "/var/lib/ward/containers/abc/hosts", Options: []string{"rbind"}},
		{Destination: "/etc/resolv.conf", Type: "bind", Source: "/var/lib/docker/containers/abc/resolv.conf", Options: []string{"rbind", "ro"}},
		{Destination: "/etc/hostname", Type: "bind", Source: "/etc/hostname", Options: []string{"rbind"}},
		{Destination: "/etc/hosts2", Type: "bind", Source: "/srv/hosts2", Options: []string{"rbind"}},
	}})
	var got []string
	for _, m := range w.Mounts {
		got = append(got, m.Source)
	}
	if len(got) != 2 || got[0] != "/etc/hostname" || got[1] != "/srv/hosts2" {
		t.Errorf("mounts %v, want the host's /etc/hostname and /srv/hosts2", got)
	}
}

// The network the spec decides: the host's, a namespace of its own that
// nothing configures (only lo), or one joined by path (unknown).
func TestOCINetwork(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ns    []specs.LinuxNamespace
		hooks *specs.Hooks
		want  string
	}{
		{"host", []specs.LinuxNamespace{{Type: specs.MountNamespace}}, nil, EgressAllowAll},
		{"host by path", []specs.LinuxNamespace{{Type: specs.NetworkNamespace, Path: "/proc/1/ns/net"}}, nil, EgressAllowAll},
		{"own", []specs.LinuxNamespace{{Type: specs.NetworkNamespace}}, nil, EgressNone},
		{"own, with a hook", []specs.LinuxNamespace{{Type: specs.NetworkNamespace}}, &specs.Hooks{Prestart: []specs.Hook{{Path: "/bin/cni"}}}, EgressUnknown},
		{"joined", []specs.LinuxNamespace{{Type: specs.NetworkNamespace, Path: "/run/netns/x"}}, nil, EgressUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := readSpec(t, &specs.Spec{Version: "1.0.2", Hooks: tc.hooks, Linux: &specs.Linux{Namespaces: tc.ns}})
			if w.Network.Egress != tc.want {
				t.Errorf("egress %q (%s), want %q", w.Network.Egress, w.Network.Detail, tc.want)
			}
		})
	}
}

// Every spelling of no-new-privileges Docker accepts (strconv.ParseBool).
func TestSecurityOptNoNewPrivileges(t *testing.T) {
	for opt, want := range map[string]bool{
		"no-new-privileges": true, "no-new-privileges=true": true, "no-new-privileges=1": true,
		"no-new-privileges:true": true, "no-new-privileges:1": true, "no-new-privileges=TRUE": true, "no-new-privileges=t": true,
		"no-new-privileges=false": false, "no-new-privileges:0": false, "no-new-privileges=maybe": false,
	} {
		var w Workload
		applySecurityOpts(&w, []string{opt})
		if w.NoNewPrivileges != want {
			t.Errorf("%s: no-new-privileges %v, want %v", opt, w.NoNewPrivileges, want)
		}
	}
}
