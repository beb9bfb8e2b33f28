// Package idmap makes idmapped mounts: a directory seen through a user
// namespace's id mapping, so that files owned by uid 0 on disk appear
// owned by the mapping's host uid, without copying or chowning anything.
// The engine uses it to share image layers between containers that each
// have their own range of host ids (--userns auto).
//
// The mapping is attached with mount_setattr(MOUNT_ATTR_IDMAP), which
// takes a user namespace by descriptor: UsernsFD makes a namespace with
// the mapping and holds it open, though the process that made it is gone.
package idmap

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// UsernsFD returns a descriptor of a new user namespace with the given
// mappings. The namespace is made by a child that is stopped by ptrace at
// its execve, before it runs a single instruction of the program, so
// nothing runs inside it; the child is killed once its namespace is open.
func UsernsFD(uidMappings, gidMappings []specs.LinuxIDMapping) (*os.File, error) {
	if len(uidMappings) == 0 || len(gidMappings) == 0 {
		return nil, errors.New("user namespace: no uid or gid mapping")
	}
	// Ptrace makes the tracer the calling thread: keep it for the child's
	// whole life, so the thread is still its tracer when it is killed.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cmd := &exec.Cmd{
		Path: "/proc/self/exe",
		Args: []string{"ward-idmap-userns"},
		SysProcAttr: &syscall.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER,
			UidMappings: sysMaps(uidMappings),
			GidMappings: sysMaps(gidMappings),
			Ptrace:      true,
			Pdeathsig:   syscall.SIGKILL,
		},
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("user namespace for an idmapped mount: %w", err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	f, err := os.Open("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/ns/user")
	if err != nil {
		return nil, fmt.Errorf("user namespace for an idmapped mount: %w", err)
	}
	return f, nil
}

func sysMaps(m []specs.LinuxIDMapping) []syscall.SysProcIDMap {
	out := make([]syscall.SysProcIDMap, len(m))
	for i, e := range m {
		out[i] = syscall.SysProcIDMap{ContainerID: int(e.ContainerID), HostID: int(e.HostID), Size: int(e.Size)}
	}
	return out
}

// Mount mounts src on target (an existing directory) seen through the id
// mapping of the user namespace userns: a clone of src's mount, idmapped
// before it is attached, so target is never visible unmapped. Submounts
// of src are not included.
func Mount(src, target string, userns *os.File) error {
	fd, err := unix.OpenTree(unix.AT_FDCWD, src, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		return fmt.Errorf("idmapped mount of %s: open_tree: %w", src, err)
	}
	defer unix.Close(fd)
	attr := &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_IDMAP, Userns_fd: uint64(userns.Fd())}
	if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH, attr); err != nil {
		if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
			return fmt.Errorf("idmapped mount of %s: the kernel or this filesystem has no idmapped mounts (Linux 5.12, a filesystem that allows them): %w", src, err)
		}
		return fmt.Errorf("idmapped mount of %s: mount_setattr: %w", src, err)
	}
	if err := unix.MoveMount(fd, "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return fmt.Errorf("idmapped mount of %s on %s: move_mount: %w", src, target, err)
	}
	return nil
}

// HostID returns the host id a mapping gives container id id, and false
// when id is not mapped.
func HostID(m []specs.LinuxIDMapping, id uint32) (uint32, bool) {
	for _, e := range m {
		if id >= e.ContainerID && id-e.ContainerID < e.Size {
			return e.HostID + (id - e.ContainerID), true
		}
	}
	return 0, false
}
