package netns

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipped: needs root to create network namespaces (CI runs as root)")
	}
}

// mounted reports whether path is a mount point in this process's table.
func mounted(t *testing.T, path string) bool {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[4] == path {
			return true
		}
	}
	return false
}

func inode(t *testing.T, path string) uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

func TestCreateDoRemove(t *testing.T) {
	requireRoot(t)
	path := filepath.Join(t.TempDir(), "a", "ns")
	if err := Create(path); err != nil {
		t.Fatal(err)
	}
	if !mounted(t, path) {
		t.Fatalf("%s is not a mount point after Create", path)
	}
	hostIno := inode(t, "/proc/self/ns/net")
	var insideIno uint64
	var loUp bool
	var links int
	err := Do(path, func() error {
		insideIno = inode(t, threadNetns())
		lo, err := netlink.LinkByName("lo")
		if err != nil {
			return err
		}
		loUp = lo.Attrs().Flags&unix.IFF_UP != 0
		all, err := netlink.LinkList()
		links = len(all)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if insideIno != inode(t, path) || insideIno == hostIno {
		t.Errorf("Do ran in netns inode %d, want %d (host %d)", insideIno, inode(t, path), hostIno)
	}
	if !loUp || links != 1 {
		t.Errorf("new netns: lo up = %v, %d links; want lo up and only lo", loUp, links)
	}
	if got := inode(t, threadNetns()); got != hostIno {
		t.Errorf("after Do this thread is in netns %d, want %d", got, hostIno)
	}
	if err := Remove(path); err != nil {
		t.Fatal(err)
	}
	if mounted(t, path) {
		t.Errorf("%s still mounted after Remove", path)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("%s still exists after Remove: %v", path, err)
	}
	if err := Remove(path); err != nil {
		t.Errorf("second Remove: %v, want nil", err)
	}
}

func TestCreateExisting(t *testing.T) {
	requireRoot(t)
	path := filepath.Join(t.TempDir(), "ns")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Create(path); err == nil {
		Remove(path)
		t.Fatal("Create over an existing file succeeded, want an error")
	}
	if mounted(t, path) {
		t.Errorf("failed Create left a mount at %s", path)
	}
}

func TestDoMissing(t *testing.T) {
	err := Do(filepath.Join(t.TempDir(), "none"), func() error { return nil })
	if err == nil || !strings.Contains(err.Error(), "none") {
		t.Errorf("Do on a missing path: %v, want an error naming it", err)
	}
}

// TestSysctlPerNetns checks what link relies on: the forwarding and
// br_netfilter sysctls written inside a namespace stay in it.
func TestSysctlPerNetns(t *testing.T) {
	requireRoot(t)
	path := filepath.Join(t.TempDir(), "ns")
	if err := Create(path); err != nil {
		t.Fatal(err)
	}
	defer Remove(path)
	for _, key := range []string{"net/ipv4/ip_forward", "net/bridge/bridge-nf-call-iptables"} {
		file := "/proc/sys/" + key
		host, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		var inside []byte
		err = Do(path, func() error {
			flipped := "1"
			if strings.TrimSpace(string(host)) == "1" {
				flipped = "0"
			}
			if err := os.WriteFile(file, []byte(flipped), 0o644); err != nil {
				return err
			}
			inside, err = os.ReadFile(file)
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		after, _ := os.ReadFile(file)
		if string(after) != string(host) || string(inside) == string(host) {
			t.Errorf("%s: host %q, inside %q, host after %q: not per netns", key, host, inside, after)
		}
	}
}
