package dockerdiff

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/wardproject/ward/internal/idrange"
	"github.com/wardproject/ward/internal/testutil"
	"github.com/wardproject/ward/internal/testutil/imagearchive"
)

// usernsDifferences are the only lines allowed to differ between
// --userns host and --userns auto: what the kernel refuses in a user
// namespace whatever the capabilities, and what the mapping changes on
// purpose (a bind-mounted host directory owned by root is nobody's
// inside). The mapping itself (/proc/self/uid_map and gid_map) is not
// among the probe's lines.
var usernsDifferences = []struct{ host, auto, why string }{
	{"mknod: ok", "mknod: fails", "the kernel creates no device node in a user namespace (sb of a mount made outside it is nodev to it)"},
	{"dir /data: 755 0:0", "dir /data: 755 65534:65534", "the volume is the host root's: unmapped, it shows as nobody"},
	{"write /data: ok", "write /data: fails", "the volume is the host root's: the container's root is not"},
	{"renice -5: ok", "renice -5: fails", "raising a priority needs CAP_SYS_NICE in the host's user namespace (can_nice checks capable())"},
	{"tun: open ok", "tun: mknod fails", "the same: no device node is made in a user namespace, so the tun rule of the device cgroup is never reached"},
	{"read loop0: ok", "read loop0: fails", "the probe's loop node is made by mknod, which the kernel refuses in a user namespace (--device-cgroup-rule allows it on the host)"},
}

// Device nodes: the kernel makes none in a user namespace, so the
// runtime binds the host's (runc does the same), which show as devtmpfs
// mounts owned by nobody; the masked files, covered by /dev/null, then
// show devtmpfs too.
var (
	deviceBind = regexp.MustCompile(`^mount: /dev/(null|zero|full|random|urandom|tty|fuse|myzero) devtmpfs `)
	maskedFile = regexp.MustCompile(`^mount: (/proc/(keys|timer_list|kcore|latency_stats|timer_stats|sched_debug)) (tmpfs|devtmpfs) `)
	devNode    = regexp.MustCompile(`^(dev node: \S+ \S+ \S+) \d+:\d+$`)
	idOption   = regexp.MustCompile(`,(uid|gid)=(\d+)`)
)

// usernsCanonical rewrites what the kernel shows differently in a user
// namespace whatever the runtime does, so the rest can be compared line
// for line: ids in mount options are shown as host ids (a tmpfs of the
// namespace's root says uid=ROOT, which is uid 0 inside and no option at
// all on the host), and the device nodes and masked files above. root is
// the host id of the container's root (0 for --userns host).
func usernsCanonical(t *testing.T, out string, root uint64) []string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	var keep []string
	for _, l := range lines {
		switch {
		case deviceBind.MatchString(l):
			continue
		case maskedFile.MatchString(l):
			l = maskedFile.FindStringSubmatch(l)[1] + " masked by /dev/null"
		case devNode.MatchString(l):
			l = devNode.FindStringSubmatch(l)[1] + " (owner left out)"
		}
		if root != 0 && strings.HasPrefix(l, "mount: ") {
			l = idOption.ReplaceAllStringFunc(l, func(o string) string {
				m := idOption.FindStringSubmatch(o)
				n, _ := strconv.ParseUint(m[2], 10, 64)
				if n >= root && n-root < idrange.DefaultSize {
					n -= root
				}
				if n == 0 {
					return "" // as the host shows a root-owned tmpfs
				}
				return fmt.Sprintf(",%s=%d", m[1], n)
			})
		}
		keep = append(keep, l)
	}
	return keep
}

// mappedRoot is the host uid of the container's root, read from the
// owner its /dev tmpfs shows (the container is gone by now).
func mappedRoot(t *testing.T, o outcome) uint64 {
	for _, l := range strings.Split(o.stdout, "\n") {
		if m := regexp.MustCompile(`^mount: /dev tmpfs .*uid=(\d+)`).FindStringSubmatch(l); m != nil {
			n, _ := strconv.ParseUint(m[1], 10, 64)
			return n
		}
	}
	t.Fatalf("no mapped root in the probe's output:\n%s", o.stdout)
	return 0
}

// usernsConflicts are the flags refused with --userns auto.
var usernsConflicts = []string{"--privileged", "--pid", "--ipc", "--network"}

// TestUsernsAutoAgreesWithHost runs the probe for every flag set of
// TestDockerAndWardAgree with --userns host and with --userns auto and
// requires the same lines but for usernsDifferences; the flag sets that
// share a host namespace or ask for --privileged must be refused (exit
// 125) instead. No Docker is needed: both runs are ward's.
func TestUsernsAutoAgreesWithHost(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.RequireStaticBusybox(t)
	testutil.RestoreSubIDFiles(t)
	work := t.TempDir()
	for d := work; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	ward := []string{filepath.Join(wardBins.Dir(t), "ward"), "--root", filepath.Join(work, "ward")}
	for _, img := range []struct {
		ref string
		cfg v1.ImageConfig
	}{
		{image, v1.ImageConfig{Env: []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, Cmd: []string{"sh"}}},
		{userImage, v1.ImageConfig{User: "alice", Env: []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "FOO=from-the-image"}, WorkingDir: "/tmp", Cmd: []string{"sh"}}},
	} {
		archive := filepath.Join(work, strings.NewReplacer("/", "_", ":", "_").Replace(img.ref)+".tar")
		imagearchive.Write(t, archive, img.ref, busyboxLayer(t), img.cfg)
		if o := run(nil, append(slices.Clone(ward), "load", "-q", "-i", archive)...); o.code != 0 {
			t.Fatalf("ward load: %s", o.stderr)
		}
	}
	t.Cleanup(func() {
		for _, id := range strings.Fields(run(nil, append(slices.Clone(ward), "ps", "-aq")...).stdout) {
			run(nil, append(slices.Clone(ward), "rm", "-f", id)...)
		}
	})
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	probe, err := os.ReadFile(filepath.Join(testdata, "probe.sh"))
	if err != nil {
		t.Fatal(err)
	}
	volume := filepath.Join(work, "volume")
	if err := os.Mkdir(volume, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(volume, "hello"), []byte("from the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := engines{ward: ward}
	for _, c := range agreeCases(volume, testdata) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			img := image
			if c.image != "" {
				img = c.image
			}
			flags := append(slices.Clone(c.flags), c.wardFlags...)
			auto := e.probe(ward, append([]string{"--userns", "auto"}, flags...), img, string(probe))
			if slices.ContainsFunc(flags, func(f string) bool { return slices.Contains(usernsConflicts, f) }) {
				if auto.code != 125 || !strings.Contains(auto.stderr, "conflicts with --userns auto") {
					t.Errorf("ward run --userns auto %s: exit %d %q, want 125 naming the conflict", strings.Join(flags, " "), auto.code, auto.stderr)
				}
				return
			}
			host := e.probe(ward, append([]string{"--userns", "host"}, flags...), img, string(probe))
			if host.code != 0 || auto.code != 0 {
				t.Fatalf("--userns host: exit %d %s; --userns auto: exit %d %s", host.code, host.stderr, auto.code, auto.stderr)
			}
			diff := lineDiff(usernsCanonical(t, normalize(t, host.stdout), 0),
				usernsCanonical(t, normalize(t, auto.stdout), mappedRoot(t, auto)))
			for _, k := range usernsDifferences {
				pair := []string{fmt.Sprintf("docker only: %q", k.host), fmt.Sprintf("ward only:   %q", k.auto)}
				if containsAll(diff, pair) {
					diff = slices.DeleteFunc(diff, func(d string) bool { return slices.Contains(pair, d) })
					t.Logf("differs in a user namespace: %q -> %q (%s)", k.host, k.auto, k.why)
				}
			}
			for _, d := range diff {
				// lineDiff speaks of Docker and ward; here they are host and auto.
				d = strings.Replace(strings.Replace(d, "docker only:", "--userns host only:", 1), "ward only:", "--userns auto only:", 1)
				t.Error(d)
			}
		})
	}
}
