package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/testutil"
)

// probe prints, one fact a line, the world a container's process sees.
const probe = `
echo "pid=$$"
echo -n "procs="; echo /proc/[0-9]*
echo "hostname=$(hostname)"
echo "id=$(id)"
grep -E '^(Cap|NoNewPrivs|Uid|Gid|Groups)' /proc/self/status
echo "uid_map=$(cat /proc/self/uid_map | tr -s ' ')"
echo "gid_map=$(cat /proc/self/gid_map | tr -s ' ')"
echo "net=$(ls /sys/class/net | tr '\n' ' ')"
(touch /.rw-probe 2>/dev/null && echo root=rw) || echo root=ro
echo "timer_list=$(wc -c < /proc/timer_list)"
echo "keys=$(wc -c < /proc/keys)"
echo "acpi=$(ls /proc/acpi | wc -l)"
echo "firmware=$(ls /sys/firmware | wc -l)"
(echo x > /proc/sys/kernel/hostname) 2>/dev/null && echo procsys=rw || echo procsys=ro
echo "umask=$(umask)"
echo "nofile=$(ulimit -n)"
echo "cwd=$(pwd)"
echo "home=$HOME"
echo "devnull=$(stat -c '%F %t:%T' /dev/null)"
echo "tmp=$(stat -c %a /tmp)"
echo "ptmx=$(stat -c %F /dev/ptmx)"
awk '{ print "mount=" $1, $2, $3, $4 }' /proc/self/mounts
`

// dockerDefaultCaps are the 14 capabilities Docker gives a container.
var dockerDefaultCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

func allCaps(names []string) *specs.LinuxCapabilities {
	return &specs.LinuxCapabilities{Bounding: names, Effective: names, Permitted: names}
}

// worldCase is a bundle and what its process must see, on top of being
// the same under ward-runtime and runc.
type worldCase struct {
	name   string
	edit   func(*specs.Spec)
	expect map[string]string // line prefix -> whole expected line
}

func worldCases() []worldCase {
	uid1000 := func(s *specs.Spec) {
		s.Process.User = specs.User{UID: 1000, GID: 1000, AdditionalGids: []uint32{10, 20}}
	}
	umask := uint32(0o027)
	return []worldCase{
		{
			name: "runc-spec-default",
			expect: map[string]string{
				"pid=": "pid=1", "procs=": "procs=/proc/1", "hostname=": "hostname=ward",
				"Groups:": "Groups:\t ", "NoNewPrivs:": "NoNewPrivs:\t1",
				"net=": "net=lo ", "root=": "root=ro", "timer_list=": "timer_list=0", "keys=": "keys=0", "acpi=": "acpi=0", "firmware=": "firmware=0",
				"procsys=": "procsys=ro", "umask=": "umask=0022", "nofile=": "nofile=1024",
				"devnull=": "devnull=character special file 1:3",
			},
		},
		{
			name: "docker-like-user-1000",
			edit: func(s *specs.Spec) {
				uid1000(s)
				s.Process.Capabilities = allCaps(dockerDefaultCaps)
				s.Process.NoNewPrivileges = false
				s.Process.User.Umask = &umask
				s.Process.Cwd = "/tmp/work"
				s.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Hard: 512, Soft: 256}}
				s.Root.Readonly = false
				s.Hostname = "docker-like"
			},
			expect: map[string]string{
				"pid=": "pid=1", "hostname=": "hostname=docker-like",
				"Uid:": "Uid:\t1000\t1000\t1000\t1000", "Gid:": "Gid:\t1000\t1000\t1000\t1000",
				"Groups:": "Groups:\t10 20 ", "CapEff:": "CapEff:\t0000000000000000", "NoNewPrivs:": "NoNewPrivs:\t0",
				"umask=": "umask=0027", "nofile=": "nofile=256", "cwd=": "cwd=/tmp/work",
			},
		},
		{
			name: "non-root-with-ambient",
			edit: func(s *specs.Spec) {
				s.Process.User = specs.User{UID: 1001, GID: 1001}
				c := []string{"CAP_NET_BIND_SERVICE", "CAP_CHOWN"}
				s.Process.Capabilities = &specs.LinuxCapabilities{Bounding: c, Effective: c, Permitted: c, Inheritable: c, Ambient: c}
			},
			expect: map[string]string{"Uid:": "Uid:\t1001\t1001\t1001\t1001"},
		},
		{
			// A tmpfs over a directory takes the directory's mode (0755
			// in the test rootfs), and is made read-only after.
			name: "tmpfs-over-directory",
			edit: func(s *specs.Spec) {
				s.Mounts = append(s.Mounts, specs.Mount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "nodev", "ro"}})
			},
			expect: map[string]string{"tmp=": "tmp=755"},
		},
		{
			// /dev/ptmx is the link to the container's devpts even when
			// the devices (all the host's, with --privileged) name it.
			name: "ptmx-among-devices",
			edit: func(s *specs.Spec) {
				s.Linux.Devices = append(s.Linux.Devices, specs.LinuxDevice{Path: "/dev/ptmx", Type: "c", Major: 5, Minor: 2})
			},
			expect: map[string]string{"ptmx=": "ptmx=symbolic link"},
		},
		{
			name: "no-capabilities",
			edit: func(s *specs.Spec) { s.Process.Capabilities = &specs.LinuxCapabilities{} },
			expect: map[string]string{
				"CapBnd:": "CapBnd:\t0000000000000000", "CapEff:": "CapEff:\t0000000000000000",
			},
		},
		{
			name: "user-namespace",
			edit: func(s *specs.Spec) {
				s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
				s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
				s.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}}
			},
			expect: map[string]string{"uid_map=": "uid_map= 0 100000 65536", "gid_map=": "gid_map= 0 100000 65536", "pid=": "pid=1"},
		},
	}
}

// capLines returns the Cap* lines /proc/self/status must show for caps,
// computed from the names, for a process whose uid is root or not.
func capLines(t *testing.T, c *specs.LinuxCapabilities, root bool) map[string]string {
	mask := func(names []string) string {
		var m uint64
		for _, n := range names {
			found := false
			for _, k := range capability.ListKnown() {
				if "CAP_"+strings.ToUpper(k.String()) == n {
					m |= 1 << uint(k)
					found = true
				}
			}
			if !found {
				t.Fatalf("unknown capability %s in test case", n)
			}
		}
		return fmt.Sprintf("%016x", m)
	}
	eff, prm := c.Effective, c.Permitted
	if !root {
		// Across exec a non-root process keeps only its ambient set.
		eff, prm = c.Ambient, c.Ambient
	}
	return map[string]string{
		"CapInh:": "CapInh:\t" + mask(c.Inheritable), "CapPrm:": "CapPrm:\t" + mask(prm),
		"CapEff:": "CapEff:\t" + mask(eff), "CapBnd:": "CapBnd:\t" + mask(c.Bounding),
		"CapAmb:": "CapAmb:\t" + mask(c.Ambient),
	}
}

func TestWorldMatchesRunc(t *testing.T) {
	testutil.RequireRoot(t)
	ward, runc := newWard(t), newRunc(t)
	for _, tc := range worldCases() {
		t.Run(tc.name, func(t *testing.T) {
			var spec *specs.Spec
			dir := testutil.Bundle(t, []string{"sh", "-c", probe}, func(s *specs.Spec) {
				if tc.edit != nil {
					tc.edit(s)
				}
				spec = s
			})
			got := ward.run(t, dir)
			if got.code != 0 {
				t.Fatalf("ward-runtime run: exit %d\n%s%s", got.code, got.stdout, got.stderr)
			}
			os.Remove(dir + "/rootfs/.rw-probe")
			ref := runc.run(t, dir)
			if ref.code != 0 {
				t.Fatalf("runc run: exit %d\n%s%s", ref.code, ref.stdout, ref.stderr)
			}
			if got.stdout != ref.stdout {
				t.Errorf("the container's world differs from runc's:\n--- ward-runtime\n%s--- runc\n%s", got.stdout, ref.stdout)
			}
			expect := capLines(t, spec.Process.Capabilities, spec.Process.User.UID == 0)
			for k, v := range tc.expect {
				expect[k] = v
			}
			lines := strings.Split(got.stdout, "\n")
			for prefix, want := range expect {
				found := false
				for _, l := range lines {
					if strings.HasPrefix(l, prefix) {
						found = true
						if l != want {
							t.Errorf("%s: got %q, want %q", prefix, l, want)
						}
					}
				}
				if !found {
					t.Errorf("no %q line in the output:\n%s", prefix, got.stdout)
				}
			}
		})
	}
}
