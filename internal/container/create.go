package container

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/bundle"
	"github.com/wardproject/ward/internal/initproc"
	"github.com/wardproject/ward/internal/linux/capability"
	"github.com/wardproject/ward/internal/linux/cgroup"
	"github.com/wardproject/ward/internal/nsenter"
)

// CreateOptions are the flags of `create` (and `run`).
type CreateOptions struct {
	Root          string // the runtime's state directory
	ID            string
	Bundle        string
	PidFile       string
	ConsoleSocket string
	NoPivot       bool
	NoNewKeyring  bool
	PreserveFDs   int
	Stdin         *os.File
	Stdout        *os.File
	Stderr        *os.File
}

// Create validates the bundle, starts the container's init in its
// namespaces and returns once the init has built the container and waits
// for start. The returned Cmd is the init process, which the caller may
// wait for (as `run` does) or leave to its new parent (as `create` does).
// On any failure it leaves nothing behind: no state directory,
// no process (mounts live in the init's own mount namespace and die with it).
func Create(o CreateOptions) (st *State, cmd *exec.Cmd, err error) {
	if err := CheckID(o.ID); err != nil {
		return nil, nil, err
	}
	bundleDir, err := filepath.Abs(o.Bundle)
	if err != nil {
		return nil, nil, err
	}
	spec, err := bundle.Load(bundleDir)
	if err != nil {
		return nil, nil, err
	}
	if err := bundle.Validate(bundleDir, spec); err != nil {
		return nil, nil, err
	}
	if err := checkSupported(spec, o); err != nil {
		return nil, nil, err
	}
	caps, err := capability.Parse(spec.Process.Capabilities)
	if err != nil {
		return nil, nil, err
	}
	if err := caps.CheckGrantable(); err != nil {
		return nil, nil, err
	}
	cg, err := cgroup.New(spec.Linux.CgroupsPath, o.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("cgroup of %s: %w", o.ID, err)
	}

	if err := os.MkdirAll(o.Root, 0o711); err != nil {
		return nil, nil, fmt.Errorf("create state root %s: %w", o.Root, err)
	}
	dir := filepath.Join(o.Root, o.ID)
	if err := os.Mkdir(dir, 0o711); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, nil, fmt.Errorf("%w: %s", ErrExist, o.ID)
		}
		return nil, nil, fmt.Errorf("create state directory %s: %w", dir, err)
	}
	cgApplied := false
	defer func() {
		if err != nil {
			if cmd != nil && cmd.Process != nil {
				_ = cmd.Process.Kill()
				_, _ = cmd.Process.Wait()
			}
			if cgApplied {
				_ = cg.Destroy()
			}
			os.RemoveAll(dir)
		}
	}()

	fifoPath := filepath.Join(dir, fifoName)
	if err := unix.Mkfifo(fifoPath, 0o600); err != nil {
		return nil, nil, fmt.Errorf("create exec fifo: %w", err)
	}
	// Read-write, so that neither side's open blocks; the init reads, start writes.
	fifo, err := os.OpenFile(fifoPath, os.O_RDWR, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open exec fifo: %w", err)
	}
	defer fifo.Close()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("create sync socket: %w", err)
	}
	parentSock := os.NewFile(uintptr(fds[0]), "sync-parent")
	childSock := os.NewFile(uintptr(fds[1]), "sync-child")
	defer parentSock.Close()
	defer childSock.Close()

	// The init is executed through a descriptor of our own binary: in a
	// new user namespace its root may not be allowed to walk the path to it.
	self, err := os.Open("/proc/self/exe")
	if err != nil {
		return nil, nil, fmt.Errorf("open own binary: %w", err)
	}
	defer self.Close()

	plan := planNamespaces(spec)
	extra := make([]*os.File, 0, o.PreserveFDs+3)
	for i := 0; i < o.PreserveFDs; i++ {
		extra = append(extra, os.NewFile(uintptr(3+i), "preserved-"+strconv.Itoa(3+i)))
	}
	syncFD, fifoFD, exeFD := 3+len(extra), 4+len(extra), 5+len(extra)
	extra = append(extra, childSock, fifo, self)

	cmd = &exec.Cmd{
		Path:       "/proc/self/fd/" + strconv.Itoa(exeFD),
		Args:       []string{"ward-runtime", "init"},
		Dir:        bundleDir, // relative bind sources resolve against the bundle
		Stdin:      o.Stdin,
		Stdout:     o.Stdout,
		Stderr:     o.Stderr,
		ExtraFiles: extra,
		Env: []string{
			initproc.SyncFDEnv + "=" + strconv.Itoa(syncFD),
			initproc.FifoFDEnv + "=" + strconv.Itoa(fifoFD),
			initproc.ExeFDEnv + "=" + strconv.Itoa(exeFD),
			nsenter.SyncFDEnv + "=" + strconv.Itoa(syncFD),
		},
		SysProcAttr: &syscall.SysProcAttr{Cloneflags: plan.cloneFlags},
	}
	if len(plan.constructorJoins) > 0 {
		cmd.Env = append(cmd.Env, nsenter.Env+"="+strings.Join(plan.constructorJoins, ","))
	}
	if plan.newUser {
		cmd.SysProcAttr.UidMappings = idMaps(spec.Linux.UIDMappings)
		cmd.SysProcAttr.GidMappings = idMaps(spec.Linux.GIDMappings)
		cmd.SysProcAttr.GidMappingsEnableSetgroups = true
		// Become the namespace's root: a host uid that is not mapped
		// inside would exec with no capabilities there at all.
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: 0, Gid: 0, NoSetGroups: true}
	}
	if err := startJoined(cmd, plan.threadJoins); err != nil {
		return nil, nil, fmt.Errorf("start container init: %w", err)
	}
	childSock.Close()

	// The init waits for its config, so it is in its cgroup, with its
	// limits, before it does anything.
	cgApplied = true
	if err := cg.Apply(cmd.Process.Pid); err != nil {
		return nil, nil, fmt.Errorf("cgroup of %s: %w", o.ID, err)
	}
	if err := cg.Set(effectiveResources(spec)); err != nil {
		return nil, nil, fmt.Errorf("cgroup limits of %s: %w", o.ID, err)
	}

	cfg := initproc.Config{
		Spec: spec, Rootfs: bundle.RootfsPath(bundleDir, spec), NoPivot: o.NoPivot,
		NoNewKeyring: o.NoNewKeyring, NewCgroupNS: plan.unshareCgroup,
		NewUserNS: plan.newUser, NewNetNS: plan.newNet,
	}
	if err := json.NewEncoder(parentSock).Encode(&cfg); err != nil {
		return nil, nil, initFailure(cmd, fmt.Errorf("send config to container init: %w", err))
	}
	var msg initproc.Message
	line, rerr := bufio.NewReader(parentSock).ReadBytes('\n')
	if rerr != nil || json.Unmarshal(line, &msg) != nil {
		return nil, nil, initFailure(cmd, errors.New("container init exited before it was ready"))
	}
	if msg.Type != "ready" {
		return nil, nil, initFailure(cmd, errors.New(msg.Msg))
	}

	_, start, err := procStat(cmd.Process.Pid)
	if err != nil {
		return nil, nil, fmt.Errorf("read container init: %w", err)
	}
	st = &State{
		ID: o.ID, Pid: cmd.Process.Pid, PidStart: start, Bundle: bundleDir,
		Rootfs: cfg.Rootfs, Created: time.Now().UTC(), Owner: owner(),
		Annotations: spec.Annotations, HasPidNS: plan.ownPidNS, dir: dir,
		Cgroup: cg.Paths(),
	}
	if err := st.save(); err != nil {
		return nil, nil, fmt.Errorf("save state of %s: %w", o.ID, err)
	}
	if o.PidFile != "" {
		if err := writeFileAtomic(o.PidFile, []byte(strconv.Itoa(st.Pid)), 0o644); err != nil {
			return nil, nil, fmt.Errorf("write pid file %s: %w", o.PidFile, err)
		}
	}
	return st, cmd, nil
}

// initFailure reaps a failed init and returns err; an init that died
// without a word is described by how it ended.
func initFailure(cmd *exec.Cmd, err error) error {
	_ = cmd.Process.Kill()
	ps, werr := cmd.Process.Wait()
	if werr == nil && err.Error() == "container init exited before it was ready" {
		return fmt.Errorf("%w (%s)", err, ps)
	}
	return err
}

// checkSupported refuses, before anything is made, what this runtime
// cannot do yet, with a message that says so.
func checkSupported(s *specs.Spec, o CreateOptions) error {
	if o.ConsoleSocket != "" || s.Process.Terminal {
		return fmt.Errorf("%w: process.terminal and --console-socket are not supported yet", bundle.ErrInvalid)
	}
	mnt := false
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == specs.MountNamespace {
			mnt = true
			if ns.Path != "" {
				return fmt.Errorf("%w: joining an existing mount namespace as a container's root is not supported: the rootfs is prepared in a new one", bundle.ErrInvalid)
			}
		}
		if ns.Type == specs.UserNamespace && ns.Path != "" && hasNew(s, specs.PIDNamespace) {
			return fmt.Errorf("%w: joining an existing user namespace while creating a new pid namespace is not supported", bundle.ErrInvalid)
		}
	}
	if !mnt {
		return fmt.Errorf("%w: a mount namespace is required (linux.namespaces has no \"mount\")", bundle.ErrInvalid)
	}
	return nil
}

func hasNew(s *specs.Spec, t specs.LinuxNamespaceType) bool {
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == t && ns.Path == "" {
			return true
		}
	}
	return false
}

// nsPlan says how each namespace of the spec is reached: created by
// clone, joined on the forking thread, joined by the nsenter constructor,
// or (cgroup) unshared by the init itself once it sits in its cgroup.
type nsPlan struct {
	cloneFlags       uintptr
	threadJoins      []specs.LinuxNamespace
	constructorJoins []string
	unshareCgroup    bool
	newUser, newNet  bool
	ownPidNS         bool
}

func planNamespaces(s *specs.Spec) nsPlan {
	var p nsPlan
	var user, mnt string
	for _, ns := range s.Linux.Namespaces {
		switch {
		case ns.Path == "" && ns.Type == specs.CgroupNamespace:
			p.unshareCgroup = true
		case ns.Path == "":
			p.cloneFlags |= bundle.CloneFlag(ns.Type)
		case ns.Type == specs.UserNamespace:
			user = "user:" + ns.Path
		case ns.Type == specs.MountNamespace:
			mnt = "mnt:" + ns.Path
		default:
			p.threadJoins = append(p.threadJoins, ns)
		}
		switch ns.Type {
		case specs.UserNamespace:
			p.newUser = ns.Path == ""
		case specs.NetworkNamespace:
			p.newNet = ns.Path == ""
		case specs.PIDNamespace:
			p.ownPidNS = ns.Path == ""
		}
	}
	for _, j := range []string{user, mnt} {
		if j != "" {
			p.constructorJoins = append(p.constructorJoins, j)
		}
	}
	return p
}

// startJoined starts cmd from a thread that first joins the given
// namespaces, so the child is born in them. The thread is never unlocked:
// it is in foreign namespaces now, and Go discards a thread whose
// goroutine exits while locked.
func startJoined(cmd *exec.Cmd, joins []specs.LinuxNamespace) error {
	if len(joins) == 0 {
		return cmd.Start()
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		for _, ns := range joins {
			fd, err := unix.Open(ns.Path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				errc <- fmt.Errorf("open %s namespace %s: %w", ns.Type, ns.Path, err)
				return
			}
			err = unix.Setns(fd, int(bundle.CloneFlag(ns.Type)))
			unix.Close(fd)
			if err != nil {
				errc <- fmt.Errorf("join %s namespace %s: %w", ns.Type, ns.Path, err)
				return
			}
		}
		errc <- cmd.Start()
	}()
	return <-errc
}

func idMaps(m []specs.LinuxIDMapping) []syscall.SysProcIDMap {
	out := make([]syscall.SysProcIDMap, len(m))
	for i, e := range m {
		out[i] = syscall.SysProcIDMap{ContainerID: int(e.ContainerID), HostID: int(e.HostID), Size: int(e.Size)}
	}
	return out
}

func owner() string {
	if u, err := user.LookupId(strconv.Itoa(os.Geteuid())); err == nil {
		return u.Username
	}
	return strconv.Itoa(os.Geteuid())
}
