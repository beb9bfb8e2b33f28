package container

import (
	"os"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestCheckID(t *testing.T) {
	for _, ok := range []string{"abc", "a-b_c.d+e", "4d885aa09f0a3e65bf48110fd9125fba6b01f5cb8a814207bbc7de4aa8b20f7f"} {
		if err := CheckID(ok); err != nil {
			t.Errorf("CheckID(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "..", "../x", "a/b", "a b", "x\n"} {
		if err := CheckID(bad); err == nil {
			t.Errorf("CheckID(%q) accepted", bad)
		}
	}
}

func TestStatusFromProcess(t *testing.T) {
	_, start, err := procStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st := &State{ID: "x", Pid: os.Getpid(), PidStart: start, dir: dir}
	if got := st.Status(); got != Running {
		t.Errorf("live process without fifo: %s, want running", got)
	}
	if err := os.WriteFile(dir+"/"+fifoName, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := st.Status(); got != Created {
		t.Errorf("live process with fifo: %s, want created", got)
	}
	st.PidStart++ // same PID, another process: the PID was reused
	if got := st.Status(); got != Stopped {
		t.Errorf("reused PID: %s, want stopped", got)
	}
	if st.OCI().Pid != 0 {
		t.Errorf("a stopped container reports pid %d", st.OCI().Pid)
	}
}

func TestPlanNamespaces(t *testing.T) {
	p := planNamespaces([]specs.LinuxNamespace{
		{Type: specs.PIDNamespace}, {Type: specs.MountNamespace}, {Type: specs.CgroupNamespace},
		{Type: specs.NetworkNamespace, Path: "/proc/1/ns/net"}, {Type: specs.UserNamespace, Path: "/proc/1/ns/user"},
	})
	// Joining a user namespace: the new namespaces are made after the
	// join, by the nsenter constructor, so they belong to it.
	if p.cloneFlags != 0 || p.constructorUnshare != unix.CLONE_NEWPID|unix.CLONE_NEWNS || !p.joinedUser {
		t.Errorf("clone flags %#x, constructor unshares %#x, joined user %v", p.cloneFlags, p.constructorUnshare, p.joinedUser)
	}
	if !p.unshareCgroup || p.newNet || p.newUser || !p.ownPidNS {
		t.Errorf("plan %+v", p)
	}
	if len(p.threadJoins) != 1 || p.threadJoins[0].Type != specs.NetworkNamespace {
		t.Errorf("thread joins %+v", p.threadJoins)
	}
	if len(p.constructorJoins) != 1 || p.constructorJoins[0] != "user:/proc/1/ns/user" {
		t.Errorf("constructor joins %+v", p.constructorJoins)
	}
	// Without a joined user namespace, clone makes them.
	p = planNamespaces([]specs.LinuxNamespace{{Type: specs.PIDNamespace}, {Type: specs.MountNamespace}, {Type: specs.UserNamespace}})
	if p.cloneFlags != unix.CLONE_NEWPID|unix.CLONE_NEWNS|unix.CLONE_NEWUSER || p.constructorUnshare != 0 || p.joinedUser || !p.newUser {
		t.Errorf("new user namespace: %+v", p)
	}
}
