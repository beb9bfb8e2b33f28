package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/linux/idmap"
	"github.com/wardproject/ward/internal/linux/netns"
	"github.com/wardproject/ward/internal/testutil"
)

// TestJoinedUserNamespaceMakesItsOwn joins a user namespace that already
// exists (and the network namespace it owns), as the engine's --userns
// auto containers on a bridge do, while making new pid, mount, uts and
// ipc namespaces. Those must belong to the joined user namespace, or its
// root could not mount proc and sysfs or set its hostname: the container
// runs as pid 1, sees the joined mapping and its own network, under
// ward-runtime and runc alike.
func TestJoinedUserNamespaceMakesItsOwn(t *testing.T) {
	testutil.RequireRoot(t)
	mapping := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 2500000, Size: 65536}}
	user, net, err := idmap.UsernsAndNetnsFD(mapping, mapping)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	userPath, netPath := filepath.Join(dir, "user"), filepath.Join(dir, "net")
	if err := idmap.Bind(user, userPath); err != nil {
		t.Fatal(err)
	}
	defer idmap.Unbind(userPath)
	if err := netns.Bind(net, netPath); err != nil {
		t.Fatal(err)
	}
	defer netns.Remove(netPath)
	user.Close()
	net.Close()
	for _, r := range []*oci{newWard(t), newRunc(t)} {
		t.Run(r.name, func(t *testing.T) {
			b := testutil.Bundle(t, []string{"sh", "-c", "echo pid=$$; hostname; cat /proc/self/uid_map; ls /sys/class/net | tr '\\n' ' '; echo; id -u"}, func(s *specs.Spec) {
				s.Hostname = "joined"
				s.Linux.UIDMappings, s.Linux.GIDMappings = mapping, mapping
				s.Linux.Namespaces = []specs.LinuxNamespace{
					{Type: specs.PIDNamespace}, {Type: specs.MountNamespace}, {Type: specs.UTSNamespace}, {Type: specs.IPCNamespace},
					{Type: specs.UserNamespace, Path: userPath}, {Type: specs.NetworkNamespace, Path: netPath},
				}
			})
			// The example spec mounts a fresh sysfs, which only the
			// network namespace's owner may do.
			res := r.run(t, b)
			if res.code != 0 {
				t.Fatalf("exit %d: %s%s", res.code, res.stdout, res.stderr)
			}
			lines := strings.Split(res.stdout, "\n")
			if len(lines) < 5 || lines[0] != "pid=1" || lines[1] != "joined" || strings.Fields(lines[2])[1] != "2500000" ||
				strings.TrimSpace(lines[3]) != "lo" || lines[4] != "0" {
				t.Errorf("output:\n%s\nwant pid=1, hostname joined, uid_map 0 2500000 65536, only lo, uid 0", res.stdout)
			}
		})
	}
}
