package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/bundle"
	"github.com/wardproject/ward/internal/hooks"
	"github.com/wardproject/ward/internal/initproc"
	"github.com/wardproject/ward/internal/linux/capability"
	"github.com/wardproject/ward/internal/linux/cgroup"
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
	// SystemdCgroup is runc's global --systemd-cgroup, which Create
	// refuses: ward-runtime manages cgroupfs itself.
	SystemdCgroup bool
	// AllowNoConsole lets a terminal container start without a console
	// socket (run in the foreground makes its own).
	AllowNoConsole bool
	Stdin          *os.File
	Stdout         *os.File
	Stderr         *os.File
}

// Create validates the bundle, starts the container's init in its
// namespaces and returns once the init has built the container and waits
// for start. The returned Cmd is the init process, which the caller may
// wait for (as `run` does) or leave to its new parent (as `create` does).
// On any failure it leaves nothing behind: no state directory,
// no process (mounts live in the init's own mount namespace and die with it).
func Create(o CreateOptions) (st *State, cmd *exec.Cmd, err error) {
	if o.SystemdCgroup {
		return nil, nil, errors.New("--systemd-cgroup is not supported: ward-runtime manages cgroupfs directly; drop the flag (for Docker: --exec-opt native.cgroupdriver=cgroupfs)")
	}
	if o.PreserveFDs < 0 {
		return nil, nil, fmt.Errorf("--preserve-fds must not be negative")
	}
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
	warnUnraisableAmbient(caps)
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
	// What the cleanup needs is kept apart from the named results: a
	// `return nil, nil, err` sets cmd to nil before deferred calls run.
	cgApplied := false
	var initProc *os.Process
	defer func() {
		if err == nil {
			return
		}
		if initProc != nil {
			_ = initProc.Kill()
			_, _ = initProc.Wait()
		}
		if cgApplied {
			killCgroup(cg)
			_ = cg.Destroy()
		}
		os.RemoveAll(dir)
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
	var console *os.File
	if o.ConsoleSocket != "" {
		if console, err = dialConsole(o.ConsoleSocket); err != nil {
			return nil, nil, err
		}
		defer console.Close()
	}
	plan := planNamespaces(spec.Linux.Namespaces)
	p, err := spawn(spawnOptions{
		dir:   bundleDir, // relative bind sources resolve against the bundle
		stdin: o.Stdin, stdout: o.Stdout, stderr: o.Stderr,
		preserveFDs: o.PreserveFDs, fifo: fifo, console: console, plan: plan,
		uidMappings: spec.Linux.UIDMappings, gidMappings: spec.Linux.GIDMappings,
		// In a pid namespace of its own nothing else can see the init
		// before it execs; in a shared one, others can.
		sealedBinary: !plan.ownPidNS,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("container %s: %w", o.ID, err)
	}
	cmd, initProc = p.cmd, p.cmd.Process

	// The init waits for its config, so it is in its cgroup before it
	// does anything (its cgroup namespace is rooted there). Limits other
	// than devices are written while it builds the rootfs, and are in
	// place before create returns, long before the user's program runs.
	cgApplied = true
	if err := cg.Apply(cmd.Process.Pid); err != nil {
		p.kill()
		return nil, nil, fmt.Errorf("cgroup of %s: %w", o.ID, err)
	}
	// Device rules first and at once: on cgroup v1 they start with
	// "deny all", and the init's mknod of /dev/null must not fall into
	// that window. The other limits go on while the init works.
	limits := effectiveResources(spec)
	if err := cg.Set(&specs.LinuxResources{Devices: limits.Devices}); err != nil {
		p.kill()
		return nil, nil, fmt.Errorf("cgroup device rules of %s: %w", o.ID, err)
	}
	limits.Devices = nil
	setDone := make(chan error, 1)
	go func() { setDone <- cg.Set(limits) }()
	cfg := initproc.Config{
		Spec: spec, Rootfs: bundle.RootfsPath(bundleDir, spec), NoPivot: o.NoPivot,
		NoNewKeyring: o.NoNewKeyring, NewCgroupNS: plan.unshareCgroup,
		NewUserNS: plan.newUser || plan.joinedUser, NewNetNS: plan.newNet,
	}
	runtimeHooks := func() (*specs.State, error) {
		hs := specs.State{Version: specs.Version, ID: o.ID, Status: specs.StateCreating,
			Pid: cmd.Process.Pid, Bundle: bundleDir, Annotations: spec.Annotations}
		// prestart is the old name of the same point; it was defined when
		// the container was already "created", and hooks written for it
		// (and the conformance suite) expect that status.
		pre := hs
		pre.Status = specs.StateCreated
		if err := hooks.Run("prestart", spec.Hooks.Prestart, pre); err != nil {
			return nil, err
		}
		return &hs, hooks.Run("createRuntime", spec.Hooks.CreateRuntime, hs)
	}
	if err := p.configure(&cfg, runtimeHooks); err != nil {
		<-setDone
		return nil, nil, err
	}
	if err := <-setDone; err != nil {
		return nil, nil, fmt.Errorf("cgroup limits of %s: %w", o.ID, err)
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
	if spec.Hooks != nil {
		st.Poststart, st.Poststop = spec.Hooks.Poststart, spec.Hooks.Poststop
	}
	specData, err := json.Marshal(spec)
	if err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, specFile), specData, 0o600); err != nil {
		return nil, nil, fmt.Errorf("save config of %s: %w", o.ID, err)
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

// killCgroup kills whatever a failed create left in the container's
// cgroup (the init is already killed; anything it started goes too), so
// that the cgroup can be removed.
func killCgroup(cg *cgroup.Manager) {
	_ = cg.Thaw()
	for range 50 {
		pids, err := cg.Pids()
		if err != nil || len(pids) == 0 {
			return
		}
		for _, pid := range pids {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// checkSupported refuses, before anything is made, what this runtime
// cannot do yet, with a message that says so.
func checkSupported(s *specs.Spec, o CreateOptions) error {
	// A security setting asked for and not applied would be a silent
	// weakening: refuse what this host (or this runtime) cannot apply.
	if p := s.Process.ApparmorProfile; p != "" && !lsmEnabled("/sys/module/apparmor/parameters/enabled") {
		return fmt.Errorf("%w: process.apparmorProfile %q is set, but AppArmor is not enabled on this host", bundle.ErrInvalid, p)
	}
	if s.Process.SelinuxLabel != "" || s.Linux.MountLabel != "" {
		return fmt.Errorf("%w: SELinux labels (process.selinuxLabel, linux.mountLabel) are not supported by ward-runtime yet", bundle.ErrInvalid)
	}
	if s.Process.Terminal && o.ConsoleSocket == "" && !o.AllowNoConsole {
		return fmt.Errorf("%w: cannot allocate a terminal without --console-socket", bundle.ErrInvalid)
	}
	mnt := false
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == specs.MountNamespace {
			// A joined one works too: the rootfs is prepared inside it.
			mnt = true
		}
	}
	if !mnt {
		// The spec's rule, which runc follows: an absent namespace is
		// inherited. Say out loud what that gives up.
		Warn("no mount namespace in linux.namespaces: the container shares the host's mount namespace and is only chrooted into its rootfs; mounts, maskedPaths, readonlyPaths and root.readonly are not applied")
	}
	return nil
}

// lsmEnabled reads a Linux security module's "enabled" parameter file.
func lsmEnabled(path string) bool {
	data, err := os.ReadFile(path)
	return err == nil && strings.TrimSpace(string(data)) == "Y"
}

func owner() string {
	if u, err := user.LookupId(strconv.Itoa(os.Geteuid())); err == nil {
		return u.Username
	}
	return strconv.Itoa(os.Geteuid())
}

// warnUnraisableAmbient drops from caps the ambient capabilities the
// kernel cannot raise because they are not inheritable, as runc does, and
// warns naming them: runc drops them without a word.
func warnUnraisableAmbient(caps *capability.Sets) {
	if skipped := caps.SkipUnraisableAmbient(); len(skipped) > 0 {
		Warn(fmt.Sprintf("ambient capabilities %s are not in the inheritable set, so the kernel cannot raise them: the process starts without them, as with runc", strings.Join(skipped, ", ")))
	}
}
