package container

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/bundle"
	"github.com/wardproject/ward/internal/initproc"
	"github.com/wardproject/ward/internal/nsenter"
)

// spawnOptions say how to start an init process (a container's first
// process, or one started by exec).
type spawnOptions struct {
	dir                   string // working directory until the init moves
	stdin, stdout, stderr *os.File
	preserveFDs           int
	fifo                  *os.File // the exec fifo, for a container's first process
	console               *os.File // a connection to --console-socket
	plan                  nsPlan
	// sealedBinary runs the init from a sealed in-memory copy of our
	// binary, for when processes of the container already exist and could
	// otherwise reach the host's binary through /proc/PID/exe and
	// overwrite it (CVE-2019-5736).
	sealedBinary             bool
	uidMappings, gidMappings []specs.LinuxIDMapping
}

// initProcess is a started init, waiting for its config.
type initProcess struct {
	cmd  *exec.Cmd
	sock *os.File
}

// spawn starts `ward-runtime init` in the planned namespaces. The init is
// executed through a descriptor of our own binary: in a new user namespace
// its root may not be allowed to walk the path to it.
func spawn(o spawnOptions) (*initProcess, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("create sync socket: %w", err)
	}
	parentSock := os.NewFile(uintptr(fds[0]), "sync-parent")
	childSock := os.NewFile(uintptr(fds[1]), "sync-child")
	defer childSock.Close()
	openSelf := openOwnBinary
	if o.sealedBinary {
		openSelf = sealedCopyOfOwnBinary
	}
	self, err := openSelf()
	if err != nil {
		parentSock.Close()
		return nil, err
	}
	defer self.Close()

	extra := make([]*os.File, 0, o.preserveFDs+4)
	for i := 0; i < o.preserveFDs; i++ {
		extra = append(extra, os.NewFile(uintptr(3+i), "preserved-"+strconv.Itoa(3+i)))
	}
	// fdEnv hands a descriptor to the child and names it in its environment.
	// One P is plenty for the init, and every thread counts against the
	// container's pids limit, which it joins before it runs. The init lives
	// for milliseconds and allocates little: no garbage collection and no
	// preemption signals to slow it down.
	env := []string{"GOMAXPROCS=1", "GOGC=off", "GODEBUG=asyncpreemptoff=1"}
	fdEnv := func(name string, f *os.File) int {
		fd := 3 + len(extra)
		extra = append(extra, f)
		env = append(env, name+"="+strconv.Itoa(fd))
		return fd
	}
	syncFD := fdEnv(initproc.SyncFDEnv, childSock)
	env = append(env, nsenter.SyncFDEnv+"="+strconv.Itoa(syncFD))
	exeFD := fdEnv(initproc.ExeFDEnv, self)
	if o.fifo != nil {
		fdEnv(initproc.FifoFDEnv, o.fifo)
	}
	if o.console != nil {
		fdEnv(initproc.ConsoleFDEnv, o.console)
	}
	path := "/proc/self/fd/" + strconv.Itoa(exeFD)
	if o.plan.newUser && !o.sealedBinary {
		// Becoming the namespace's root changes the child's uid before it
		// execs, which makes it undumpable: its /proc/self/fd then belongs
		// to the host's root, and a root mapped to another host uid cannot
		// exec through it. Such a root execs our binary by its path when
		// it can walk to it.
		if p, ok := reachableByOthers(); ok && !mapsHostRoot(o.uidMappings) {
			path = p
		}
	}
	cmd := &exec.Cmd{
		Path:        path,
		Args:        []string{"ward-runtime", "init"},
		Dir:         o.dir,
		Stdin:       o.stdin,
		Stdout:      o.stdout,
		Stderr:      o.stderr,
		ExtraFiles:  extra,
		Env:         env,
		SysProcAttr: &syscall.SysProcAttr{Cloneflags: o.plan.cloneFlags},
	}
	if len(o.plan.constructorJoins) > 0 {
		cmd.Env = append(cmd.Env, nsenter.Env+"="+strings.Join(o.plan.constructorJoins, ","))
	}
	if o.plan.constructorUnshare != 0 {
		cmd.Env = append(cmd.Env, nsenter.UnshareEnv+"="+strconv.FormatUint(uint64(o.plan.constructorUnshare), 10))
		if o.plan.constructorUnshare&unix.CLONE_NEWPID != 0 {
			// The init is the constructor's child: adopt it when its
			// parent exits.
			if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
				parentSock.Close()
				return nil, fmt.Errorf("become a child subreaper: %w", err)
			}
		}
	}
	if o.plan.newUser {
		cmd.SysProcAttr.UidMappings = idMaps(o.uidMappings)
		cmd.SysProcAttr.GidMappings = idMaps(o.gidMappings)
		cmd.SysProcAttr.GidMappingsEnableSetgroups = true
		// Become the namespace's root: a host uid that is not mapped
		// inside would exec with no capabilities there at all.
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: 0, Gid: 0, NoSetGroups: true}
	}
	if err := startJoined(cmd, o.plan.threadJoins); err != nil {
		parentSock.Close()
		return nil, fmt.Errorf("start init: %w", err)
	}
	if o.plan.constructorUnshare&unix.CLONE_NEWPID != 0 {
		if err := adoptForked(cmd, parentSock); err != nil {
			parentSock.Close()
			return nil, fmt.Errorf("start init: %w", err)
		}
	}
	return &initProcess{cmd: cmd, sock: parentSock}, nil
}

// adoptForked reads the pid of the init the nsenter constructor forked
// into its new pid namespace, reaps the process that forked it, and makes
// cmd.Process the init. The line is read byte by byte: what follows on
// the socket belongs to configure.
func adoptForked(cmd *exec.Cmd, sock *os.File) error {
	var line []byte
	b := make([]byte, 1)
	for len(line) < 4096 {
		n, err := sock.Read(b)
		if n == 0 || err != nil {
			break
		}
		if b[0] == '\n' {
			break
		}
		line = append(line, b[0])
	}
	var msg struct {
		Type string `json:"type"`
		Msg  string `json:"msg"`
		Pid  int    `json:"pid"`
	}
	jerr := json.Unmarshal(line, &msg)
	ps, werr := cmd.Process.Wait()
	switch {
	case jerr == nil && msg.Type == "error":
		return errors.New(msg.Msg)
	case jerr != nil || msg.Type != "pid" || msg.Pid <= 0:
		if werr == nil {
			return fmt.Errorf("the init's parent exited without its pid (%s)", ps)
		}
		return errors.New("the init's parent exited without its pid")
	}
	proc, err := os.FindProcess(msg.Pid)
	if err != nil {
		return err
	}
	cmd.Process = proc
	return nil
}

// configure sends the init its config and waits for "ready", running the
// runtime-side hooks when the init asks (onHooks returns the state to send
// back). On failure the init is killed and reaped.
func (p *initProcess) configure(cfg *initproc.Config, onHooks func() (*specs.State, error)) error {
	defer p.sock.Close()
	enc := json.NewEncoder(p.sock)
	if err := enc.Encode(cfg); err != nil {
		return p.fail(fmt.Errorf("send config to init: %w", err))
	}
	r := bufio.NewReader(p.sock)
	for {
		var msg initproc.Message
		line, rerr := r.ReadBytes('\n')
		if rerr != nil || json.Unmarshal(line, &msg) != nil {
			return p.fail(nil)
		}
		switch msg.Type {
		case "ready":
			return nil
		case "hooks":
			if onHooks == nil {
				return p.fail(errors.New("init asked for hooks where none may run"))
			}
			st, err := onHooks()
			reply := initproc.Message{Type: "hooks-done", State: st}
			if err != nil {
				reply = initproc.Message{Type: "error", Msg: err.Error()}
			}
			if werr := enc.Encode(reply); werr != nil || err != nil {
				return p.fail(err)
			}
		default:
			return p.fail(errors.New(msg.Msg))
		}
	}
}

// fail kills and reaps the init and returns err; an init that died
// without a word is described by how it ended.
func (p *initProcess) fail(err error) error {
	_ = p.cmd.Process.Kill()
	ps, werr := p.cmd.Process.Wait()
	if err == nil {
		err = errors.New("init exited before it was ready")
		if werr == nil {
			err = fmt.Errorf("%w (%s)", err, ps)
		}
	}
	return err
}

// kill ends an init that will not be configured.
func (p *initProcess) kill() {
	p.sock.Close()
	_ = p.cmd.Process.Kill()
	_, _ = p.cmd.Process.Wait()
}

// nsPlan says how each namespace of the spec is reached: created by
// clone, joined on the forking thread, joined by the nsenter constructor,
// or (cgroup) unshared by the init itself once it sits in its cgroup.
type nsPlan struct {
	cloneFlags       uintptr
	threadJoins      []specs.LinuxNamespace
	constructorJoins []string
	// constructorUnshare are the new namespaces the constructor makes
	// after joining a user namespace, so that they belong to it.
	constructorUnshare uintptr
	joinedUser         bool
	unshareCgroup      bool
	newUser, newNet    bool
	ownPidNS           bool
}

func planNamespaces(namespaces []specs.LinuxNamespace) nsPlan {
	var p nsPlan
	var user, mnt string
	for _, ns := range namespaces {
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
	if user != "" {
		p.joinedUser = true
		p.constructorUnshare, p.cloneFlags = p.cloneFlags, 0
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

// reachableByOthers returns our binary's path when every directory on it
// lets others pass and the file lets others execute it: what a user
// namespace's root, mapped to an unprivileged host uid, needs.
func reachableByOthers() (string, bool) {
	self, err := os.Executable()
	if err != nil {
		return "", false
	}
	fi, err := os.Stat(self)
	if err != nil || fi.Mode().Perm()&0o001 == 0 {
		return "", false
	}
	for d := filepath.Dir(self); ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm()&0o001 == 0 {
			return "", false
		}
		if d == "/" {
			return self, true
		}
	}
}

// mapsHostRoot tells whether a mapping gives the namespace's root the
// host's uid 0 (whose /proc/self/fd stays its own).
func mapsHostRoot(m []specs.LinuxIDMapping) bool {
	for _, e := range m {
		if e.ContainerID == 0 && e.HostID == 0 {
			return true
		}
	}
	return false
}

func openOwnBinary() (*os.File, error) {
	f, err := os.Open("/proc/self/exe")
	if err != nil {
		return nil, fmt.Errorf("open own binary: %w", err)
	}
	return f, nil
}

// sealedCopyOfOwnBinary copies our binary into a memfd and seals it, so
// nothing that reaches it through /proc can change it.
func sealedCopyOfOwnBinary() (*os.File, error) {
	src, err := openOwnBinary()
	if err != nil {
		return nil, err
	}
	defer src.Close()
	fd, err := unix.MemfdCreate("ward-runtime", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("memfd for own binary: %w", err)
	}
	mem := os.NewFile(uintptr(fd), "ward-runtime (sealed copy)")
	if _, err := io.Copy(mem, src); err != nil {
		mem.Close()
		return nil, fmt.Errorf("copy own binary: %w", err)
	}
	seals := unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(mem.Fd(), unix.F_ADD_SEALS, seals); err != nil {
		mem.Close()
		return nil, fmt.Errorf("seal copy of own binary: %w", err)
	}
	return mem, nil
}
