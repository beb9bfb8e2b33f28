package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/initproc"
	"github.com/wardproject/ward/internal/linux/capability"
)

// specFile is the container's config as created, kept in its state
// directory so that exec and delete do not depend on the bundle.
const specFile = "config.json"

// ExecOptions are the flags of `exec`.
type ExecOptions struct {
	Root, ID      string
	Process       *specs.Process
	PidFile       string
	ConsoleSocket string
	PreserveFDs   int
	Stdin         *os.File
	Stdout        *os.File
	Stderr        *os.File
}

// Spec returns the container's config as it was created.
func (st *State) Spec() (*specs.Spec, error) {
	data, err := os.ReadFile(filepath.Join(st.dir, specFile))
	if err != nil {
		return nil, fmt.Errorf("read config of %s: %w", st.ID, err)
	}
	var s specs.Spec
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("parse config of %s: %w", st.ID, err)
	}
	return &s, nil
}

// Exec starts a new process in every namespace and the cgroup of a
// running container, with the identity, capabilities and seccomp filter
// its process spec and the container's config give it. It returns once
// the process has been set up (and execs), with the caller as its parent.
func Exec(o ExecOptions) (*exec.Cmd, error) {
	st, err := Load(o.Root, o.ID)
	if err != nil {
		return nil, err
	}
	switch st.Status() {
	case Stopped:
		return nil, errors.New("cannot exec in a stopped container")
	case Paused:
		return nil, errors.New("cannot exec in a paused container")
	}
	p := o.Process
	if p == nil || len(p.Args) == 0 || p.Args[0] == "" {
		return nil, errors.New("process args must not be empty")
	}
	if p.Terminal && o.ConsoleSocket == "" {
		return nil, errors.New("cannot allocate a terminal without --console-socket")
	}
	caps, err := capability.Parse(p.Capabilities)
	if err != nil {
		return nil, err
	}
	warnUnraisableAmbient(caps)
	if err := caps.CheckGrantable(); err != nil {
		return nil, err
	}
	spec, err := st.Spec()
	if err != nil {
		return nil, err
	}
	spec.Process = p

	// Join every namespace of the container's init, by its /proc path.
	var joins []specs.LinuxNamespace
	for _, ns := range spec.Linux.Namespaces {
		name := procNSName[ns.Type]
		joins = append(joins, specs.LinuxNamespace{Type: ns.Type, Path: "/proc/" + strconv.Itoa(st.Pid) + "/ns/" + name})
	}
	var console *os.File
	if o.ConsoleSocket != "" {
		if console, err = dialConsole(o.ConsoleSocket); err != nil {
			return nil, err
		}
		defer console.Close()
	}
	proc, err := spawn(spawnOptions{
		dir: "/", stdin: o.Stdin, stdout: o.Stdout, stderr: o.Stderr,
		preserveFDs: o.PreserveFDs, console: console, plan: planNamespaces(joins),
		sealedBinary: true, // the container's processes can see this one
	})
	if err != nil {
		return nil, fmt.Errorf("exec in %s: %w", o.ID, err)
	}
	if cg, err := st.cgroup(); err == nil {
		if err := cg.Apply(proc.cmd.Process.Pid); err != nil {
			proc.kill()
			return nil, fmt.Errorf("exec in %s: join cgroup: %w", o.ID, err)
		}
	}
	if err := proc.configure(&initproc.Config{Spec: spec, Exec: true}, nil); err != nil {
		return nil, fmt.Errorf("exec in %s: %w", o.ID, err)
	}
	if o.PidFile != "" {
		if err := writeFileAtomic(o.PidFile, []byte(strconv.Itoa(proc.cmd.Process.Pid)), 0o644); err != nil {
			return nil, fmt.Errorf("write pid file %s: %w", o.PidFile, err)
		}
	}
	return proc.cmd, nil
}

// procNSName maps namespace types to their names under /proc/PID/ns.
var procNSName = map[specs.LinuxNamespaceType]string{
	specs.PIDNamespace: "pid", specs.NetworkNamespace: "net", specs.MountNamespace: "mnt",
	specs.IPCNamespace: "ipc", specs.UTSNamespace: "uts", specs.UserNamespace: "user",
	specs.CgroupNamespace: "cgroup",
}
