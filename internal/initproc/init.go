package initproc

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/bundle"
	"github.com/wardproject/ward/internal/hooks"
	"github.com/wardproject/ward/internal/linux/capability"
	"github.com/wardproject/ward/internal/linux/console"
	"github.com/wardproject/ward/internal/linux/fds"
	"github.com/wardproject/ward/internal/linux/identity"
	"github.com/wardproject/ward/internal/linux/rootfs"
	"github.com/wardproject/ward/internal/linux/seccomp"
)

// Run is the whole life of the init process up to exec; it never
// returns. The caller must have locked the main goroutine to the main
// thread (in an init function), because credentials and capabilities are
// per-thread and the exec must come from the thread that holds them.
func Run() {
	syncFD, err := strconv.Atoi(os.Getenv(SyncFDEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "ward-runtime init: this command is internal; use create or run")
		os.Exit(2)
	}
	sock := os.NewFile(uintptr(syncFD), "sync")
	ch := &channel{enc: json.NewEncoder(sock), dec: json.NewDecoder(sock)}
	fail := func(err error) {
		_ = ch.enc.Encode(Message{Type: "error", Msg: err.Error()})
		os.Exit(1)
	}
	var cfg Config
	if err := ch.dec.Decode(&cfg); err != nil {
		fail(fmt.Errorf("read init config: %w", err))
	}
	// No descriptor the runtime's caller left open without close-on-exec
	// may reach the user's program (runc's rule): the preserved ones sit
	// at 3..syncFD-1, ours and any strays from syncFD on. Marked now,
	// while /proc is the host's and before a seccomp filter (which may
	// not list close_range) is loaded.
	if err := fds.CloseOnExecFrom(syncFD); err != nil {
		fail(err)
	}
	path, filter, err := setup(&cfg, ch)
	if err != nil {
		fail(err)
	}
	// Nothing of ours may reach the user's program.
	unix.CloseOnExec(syncFD)
	fifoFD, fifoErr := strconv.Atoi(os.Getenv(FifoFDEnv))
	for _, env := range []string{FifoFDEnv, ExeFDEnv, ConsoleFDEnv} {
		if fd, err := strconv.Atoi(os.Getenv(env)); err == nil {
			unix.CloseOnExec(fd)
		}
	}
	if err := ch.enc.Encode(Message{Type: "ready"}); err != nil {
		os.Exit(1)
	}
	if fifoErr == nil {
		// A container's first process waits for `start`, which writes one
		// byte to the fifo; a process started by exec goes straight on.
		var b [1]byte
		for {
			_, err := unix.Read(fifoFD, b[:])
			if err == nil {
				break
			}
			if !errors.Is(err, unix.EINTR) {
				os.Exit(1)
			}
		}
		if ch.state != nil {
			st := *ch.state
			st.Status = specs.StateCreated
			if err := hooks.Run("startContainer", cfg.Spec.Hooks.StartContainer, st); err != nil {
				fmt.Fprintf(os.Stderr, "ward-runtime: %v\n", err)
				os.Exit(1)
			}
		}
	}
	if prof := cfg.Spec.Process.ApparmorProfile; prof != "" {
		// The profile takes effect at the exec below.
		if err := applyAppArmorOnExec(prof); err != nil {
			fmt.Fprintf(os.Stderr, "ward-runtime: %v\n", err)
			os.Exit(1)
		}
	}
	if filter != nil {
		// With no_new_privs the filter goes on last, so it judges only
		// the user's program (runc's order).
		if err := filter.Load(); err != nil {
			fmt.Fprintf(os.Stderr, "ward-runtime: load seccomp filter: %v\n", err)
			os.Exit(1)
		}
	}
	err = unix.Exec(path, cfg.Spec.Process.Args, cfg.Spec.Process.Env)
	fmt.Fprintf(os.Stderr, "ward-runtime: exec %s: %v\n", cfg.Spec.Process.Args[0], err)
	if errors.Is(err, unix.ENOENT) {
		os.Exit(127)
	}
	os.Exit(126)
}

// setup builds the container's world and switches to its identity,
// returning the resolved path of the program to exec and, when no_new_privs
// is set, the seccomp filter still to load just before exec.
func setup(cfg *Config, ch *channel) (string, *seccomp.Program, error) {
	s := cfg.Spec
	p := s.Process
	var filter *seccomp.Program
	if s.Linux.Seccomp != nil {
		f, err := seccomp.Compile(s.Linux.Seccomp)
		if err != nil {
			return "", nil, fmt.Errorf("seccomp: %w", err)
		}
		filter = f
	}
	if cfg.Exec {
		// The container exists: only the process's own settings remain.
		if err := identity.SetRlimits(p.Rlimits, bundle.Rlimits); err != nil {
			return "", nil, err
		}
		if p.Terminal {
			if err := setupTerminal(p, false); err != nil {
				return "", nil, err
			}
		}
	} else if err := prepare(cfg, ch); err != nil {
		return "", nil, err
	}
	if p.NoNewPrivileges {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return "", nil, fmt.Errorf("set no_new_privs: %w", err)
		}
	} else if filter != nil {
		// Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load
		// it before the capabilities are dropped, as runc does.
		if err := filter.Load(); err != nil {
			return "", nil, fmt.Errorf("load seccomp filter: %w", err)
		}
		filter = nil
	}
	// runc's rule, which Docker relies on: without HOME in the process's
	// environment, it comes from the user's entry in the container's
	// /etc/passwd, else "/".
	p.Env = withHome(p.Env, p.User.UID)
	if err := switchIdentity(p); err != nil {
		return "", nil, err
	}
	// Looked up as the container's user, from its working directory.
	path, err := lookPath(p.Args[0], p.Env)
	if err != nil {
		return "", nil, err
	}
	return path, filter, nil
}

// prepare builds the container's world, up to but excluding the identity
// switch.
func prepare(cfg *Config, ch *channel) error {
	s := cfg.Spec
	p := s.Process
	if cfg.NewCgroupNS {
		if err := unix.Unshare(unix.CLONE_NEWCGROUP); err != nil {
			return fmt.Errorf("create cgroup namespace: %w", err)
		}
	}
	if !cfg.NoNewKeyring {
		// A fresh session keyring, so the container cannot read the host's keys.
		if _, err := unix.KeyctlJoinSessionKeyring("_ses.ward"); err != nil && !errors.Is(err, unix.ENOSYS) {
			return fmt.Errorf("join a new session keyring: %w", err)
		}
	}
	// Without a mount namespace the container inherits the runtime's, as
	// the spec says: no mount can be made without the host seeing it, so
	// the process is only chrooted into its rootfs (runc's rule).
	ownMounts := hasNamespace(s, specs.MountNamespace)
	if ownMounts {
		if err := rootfs.Prepare(rootfs.Config{
			Rootfs: cfg.Rootfs, Spec: s, NoPivot: cfg.NoPivot,
			NewCgroupNS: cfg.NewCgroupNS || hasNamespace(s, specs.CgroupNamespace),
			NewUserNS:   cfg.NewUserNS,
			BeforePivot: func() error { return ch.hooks(s) },
		}); err != nil {
			return err
		}
	} else {
		if err := ch.hooks(s); err != nil {
			return err
		}
		if err := rootfs.ChrootOnly(cfg.Rootfs); err != nil {
			return err
		}
	}
	if cfg.NewNetNS {
		if err := loopbackUp(); err != nil {
			return fmt.Errorf("bring up lo: %w", err)
		}
	}
	if s.Hostname != "" {
		if err := unix.Sethostname([]byte(s.Hostname)); err != nil {
			return fmt.Errorf("set hostname %q: %w", s.Hostname, err)
		}
	}
	if s.Domainname != "" {
		if err := unix.Setdomainname([]byte(s.Domainname)); err != nil {
			return fmt.Errorf("set domainname %q: %w", s.Domainname, err)
		}
	}
	for k, v := range s.Linux.Sysctl {
		name := filepath.Join("/proc/sys", strings.ReplaceAll(k, ".", "/"))
		if err := os.WriteFile(name, []byte(v), 0); err != nil {
			return fmt.Errorf("set sysctl %s: %w", k, err)
		}
	}
	if p.Terminal {
		if err := setupTerminal(p, ownMounts); err != nil {
			return err
		}
	}
	if ownMounts {
		if err := rootfs.Finalize(s); err != nil {
			return err
		}
	}
	if err := identity.SetRlimits(p.Rlimits, bundle.Rlimits); err != nil {
		return err
	}
	if p.OOMScoreAdj != nil {
		if err := identity.SetOOMScoreAdj(*p.OOMScoreAdj); err != nil {
			return err
		}
	}
	return nil
}

// switchIdentity becomes the container's user with exactly the
// capabilities the spec asks for, then sets umask and working directory.
func switchIdentity(p *specs.Process) error {
	caps, err := capability.Parse(p.Capabilities)
	if err != nil {
		return err
	}
	// As runc does; the runtime's parent has logged the names.
	caps.SkipUnraisableAmbient()
	if err := caps.DropBounding(); err != nil {
		return err
	}
	// Keep the permitted set across setuid, then trim to what the spec asks.
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("set keepcaps: %w", err)
	}
	if err := identity.Switch(p.User); err != nil {
		return err
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("clear keepcaps: %w", err)
	}
	if err := caps.Apply(); err != nil {
		return err
	}
	umask := 0o022
	if p.User.Umask != nil {
		umask = int(*p.User.Umask)
	}
	unix.Umask(umask)
	cwd := p.Cwd
	if cwd == "" {
		cwd = "/"
	}
	if err := unix.Chdir(cwd); err != nil {
		return fmt.Errorf("chdir to cwd %q set in config.json: %w", cwd, err)
	}
	return nil
}

func hasNamespace(s *specs.Spec, t specs.LinuxNamespaceType) bool {
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == t {
			return true
		}
	}
	return false
}

// lookPath finds name the way a shell would, in the PATH of the
// container's own environment, as the container's user.
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, checkExecutable(name)
	}
	path := ""
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		candidate := filepath.Join(dir, name)
		if checkExecutable(candidate) == nil {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("exec: %q: executable file not found in $PATH", name)
}

func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("exec: %q: %w", path, err)
	}
	if fi.IsDir() {
		return fmt.Errorf("exec: %q: is a directory", path)
	}
	if err := unix.Access(path, unix.X_OK); err != nil {
		return fmt.Errorf("exec: %q: permission denied", path)
	}
	return nil
}

// loopbackUp sets IFF_UP on lo in the new network namespace, as runc
// does, with an ioctl rather than a netlink library or the ip command.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}

// setupTerminal gives the process a new pty as its controlling terminal
// and stdio, bound over /dev/console for a container's first process, and
// sends the master end to the caller's console socket.
func setupTerminal(p *specs.Process, devConsole bool) error {
	sock, err := strconv.Atoi(os.Getenv(ConsoleFDEnv))
	if err != nil {
		return errors.New("process.terminal is set but no console socket was given")
	}
	master, slave, err := console.OpenPty()
	if err != nil {
		return err
	}
	defer master.Close()
	if p.ConsoleSize != nil {
		if err := console.SetSize(master, uint16(p.ConsoleSize.Height), uint16(p.ConsoleSize.Width)); err != nil {
			return fmt.Errorf("set console size: %w", err)
		}
	}
	if devConsole {
		if err := rootfs.BindConsole(slave); err != nil {
			return err
		}
	}
	if err := console.AttachSlave(slave, int(p.User.UID)); err != nil {
		return err
	}
	return console.SendMaster(sock, master)
}

// channel is the init's end of the sync socket.
type channel struct {
	enc   *json.Encoder
	dec   *json.Decoder
	state *specs.State // the container's state, once the parent sent it
}

// hooks asks the parent to run the prestart and createRuntime hooks, then
// runs the createContainer ones here, in the container's mount namespace
// before pivot_root. Without hooks in the spec it costs nothing.
func (ch *channel) hooks(s *specs.Spec) error {
	h := s.Hooks
	if h == nil || len(h.Prestart)+len(h.CreateRuntime)+len(h.CreateContainer)+len(h.StartContainer) == 0 {
		return nil
	}
	if err := ch.enc.Encode(Message{Type: "hooks"}); err != nil {
		return err
	}
	var reply Message
	if err := ch.dec.Decode(&reply); err != nil {
		return fmt.Errorf("wait for hooks: %w", err)
	}
	if reply.Type != "hooks-done" || reply.State == nil {
		return errors.New(reply.Msg)
	}
	ch.state = reply.State
	return hooks.Run("createContainer", h.CreateContainer, *ch.state)
}

// withHome returns env with HOME set from the container's /etc/passwd
// when env has none. It runs after the switch of root, so the file read is
// the container's.
func withHome(env []string, uid uint32) []string {
	for _, e := range env {
		if strings.HasPrefix(e, "HOME=") {
			return env
		}
	}
	home := "/"
	if data, err := os.ReadFile("/etc/passwd"); err == nil {
		want := strconv.FormatUint(uint64(uid), 10)
		for _, line := range strings.Split(string(data), "\n") {
			// name:password:uid:gid:gecos:home:shell
			if f := strings.Split(line, ":"); len(f) >= 6 && f[2] == want && f[5] != "" {
				home = f[5]
				break
			}
		}
	}
	return append(env, "HOME="+home)
}

// applyAppArmorOnExec asks AppArmor to confine the next exec with prof.
func applyAppArmorOnExec(prof string) error {
	for _, attr := range []string{"/proc/self/attr/apparmor/exec", "/proc/self/attr/exec"} {
		err := os.WriteFile(attr, []byte("exec "+prof), 0)
		if err == nil {
			return nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("apply AppArmor profile %q: %w", prof, err)
		}
	}
	return fmt.Errorf("apply AppArmor profile %q: no AppArmor attribute file in /proc", prof)
}
