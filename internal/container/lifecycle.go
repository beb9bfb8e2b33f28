package container

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/hooks"
)

// Start releases a created container's init: one byte into the exec fifo,
// then the fifo is removed, which is what makes the status "running".
func Start(root, id string) error {
	st, err := Load(root, id)
	if err != nil {
		return err
	}
	switch status := st.Status(); status {
	case Created:
	case Stopped:
		return errors.New("cannot start a container that has stopped")
	case Running:
		return errors.New("cannot start an already running container")
	default:
		return fmt.Errorf("cannot start a container in the %s state", status)
	}
	fifoPath := filepath.Join(st.dir, fifoName)
	// Non-blocking: if the init is gone there is no reader, and open fails
	// with ENXIO instead of hanging.
	fd, err := unix.Open(fifoPath, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.ENXIO) {
			return errors.New("cannot start a container that has stopped")
		}
		return fmt.Errorf("open exec fifo of %s: %w", id, err)
	}
	_, err = unix.Write(fd, []byte{0})
	if err == nil && len(st.Poststart) > 0 {
		// Poststart hooks run after the user's program is executed: the
		// init's end of the fifo closes on exec, which the write end
		// sees as POLLERR.
		awaitReaderGone(fd, 5*time.Second)
	}
	unix.Close(fd)
	if err != nil {
		return fmt.Errorf("release container init of %s: %w", id, err)
	}
	if err := os.Remove(fifoPath); err != nil {
		return err
	}
	// The spec: a failed poststart hook is a warning, and the rest go on.
	for _, h := range st.Poststart {
		if err := hooks.Run("poststart", []specs.Hook{h}, st.hookState(Running)); err != nil {
			Warn(err.Error())
		}
	}
	return nil
}

// Kill sends sig to the container's init, or with all to every process of
// the container.
func Kill(root, id string, sig unix.Signal, all bool) error {
	st, err := Load(root, id)
	if err != nil {
		return err
	}
	if all {
		// runc's rule, which containerd's shim relies on when it cleans
		// up: with --all, a stopped container is not an error; whatever
		// is left in its cgroup gets the signal.
		return st.signalAll(sig)
	}
	if !st.Status().CanKill() {
		return ErrNotRunning
	}
	if err := unix.Kill(st.Pid, sig); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return ErrNotRunning
		}
		return fmt.Errorf("signal container %s: %w", id, err)
	}
	return nil
}

// signalAll signals every process in the container's pid namespace (found
// by comparing /proc/PID/ns/pid with the init's), init last.
func (st *State) signalAll(sig unix.Signal) error {
	for _, pid := range st.processes() {
		if pid != st.Pid {
			_ = unix.Kill(pid, sig)
		}
	}
	// A dead init's PID may belong to someone else by now.
	if !processAlive(st.Pid, st.PidStart) {
		return nil
	}
	if err := unix.Kill(st.Pid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("signal container %s: %w", st.ID, err)
	}
	return nil
}

// processes lists the host PIDs of the container's processes: those in
// its cgroup, or failing that those in its pid namespace.
func (st *State) processes() []int {
	if cg, err := st.cgroup(); err == nil {
		if pids, err := cg.Pids(); err == nil && len(pids) > 0 {
			return pids
		}
	}
	// Without a cgroup to ask, the init's pid namespace is the container
	// only while that init is ours: a reused PID could name the host's.
	if !processAlive(st.Pid, st.PidStart) {
		return nil
	}
	if !st.HasPidNS {
		return []int{st.Pid}
	}
	want, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", st.Pid))
	if err != nil {
		return nil
	}
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ns, err := os.Readlink("/proc/" + e.Name() + "/ns/pid"); err == nil && ns == want {
			pids = append(pids, pid)
		}
	}
	return pids
}

// Delete removes a stopped container. Any other is refused unless force
// is set, in which case it is killed first: the runtime-spec says deleting
// a container that is not stopped is an error (runc 1.1 quietly kills a
// created one; containerd's shim follows a refusal with --force).
func Delete(root, id string, force bool) error {
	st, err := Load(root, id)
	if err != nil {
		if errors.Is(err, ErrNotExist) {
			// An aborted create may leave a directory without state: clear it.
			if dir := filepath.Join(root, id); CheckID(id) == nil {
				if _, serr := os.Stat(dir); serr == nil {
					return os.RemoveAll(dir)
				}
			}
			if force {
				return nil
			}
		}
		return err
	}
	switch status := st.Status(); status {
	case Stopped:
	default:
		if !force {
			return fmt.Errorf("cannot delete container %s that is not stopped: %s", id, status)
		}
		if err := st.killAndWait(); err != nil {
			return err
		}
	}
	return st.destroy()
}

func (st *State) killAndWait() error {
	if err := st.signalAll(unix.SIGKILL); err != nil {
		return err
	}
	if cg, err := st.cgroup(); err == nil {
		_ = cg.Thaw() // SIGKILL is only delivered once a frozen cgroup thaws
	}
	deadline := time.Now().Add(10 * time.Second)
	for processAlive(st.Pid, st.PidStart) {
		if time.Now().After(deadline) {
			return fmt.Errorf("container %s: init %d did not die after SIGKILL", st.ID, st.Pid)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return nil
}

func (st *State) destroy() error {
	if cg, err := st.cgroup(); err == nil {
		// A frozen cgroup's processes cannot die: thaw before removing.
		_ = cg.Thaw()
		if err := cg.Destroy(); err != nil {
			return fmt.Errorf("remove cgroup of %s: %w", st.ID, err)
		}
	}
	if err := os.RemoveAll(st.dir); err != nil {
		return fmt.Errorf("remove state of %s: %w", st.ID, err)
	}
	for _, h := range st.Poststop {
		if err := hooks.Run("poststop", []specs.Hook{h}, st.hookState(Stopped)); err != nil {
			Warn(err.Error())
		}
	}
	return nil
}

// awaitReaderGone waits until the fifo open for writing at fd has no
// reader left, or until timeout.
func awaitReaderGone(fd int, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: 0}}
		n, err := unix.Poll(pfd, int(time.Until(deadline).Milliseconds())+1)
		if err == nil && n > 0 && pfd[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
			return
		}
		if err != nil && !errors.Is(err, unix.EINTR) {
			return
		}
	}
}
