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
	"path/filepath"
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
	user, _, err := namespaces(uidMappings, gidMappings, false)
	return user, err
}

// UsernsAndNetnsFD returns a new user namespace with the given mappings
// and a new network namespace it owns, made the way UsernsFD makes its
// one. A container in that user namespace can then mount sysfs and set
// net.* sysctls in that network namespace, which it could not do in one
// the host's user namespace owns.
func UsernsAndNetnsFD(uidMappings, gidMappings []specs.LinuxIDMapping) (user, net *os.File, err error) {
	return namespaces(uidMappings, gidMappings, true)
}

func namespaces(uidMappings, gidMappings []specs.LinuxIDMapping, withNet bool) (user, net *os.File, err error) {
	if len(uidMappings) == 0 || len(gidMappings) == 0 {
		return nil, nil, errors.New("user namespace: no uid or gid mapping")
	}
	flags := uintptr(syscall.CLONE_NEWUSER)
	if withNet {
		flags |= syscall.CLONE_NEWNET
	}
	// Ptrace makes the tracer the calling thread: keep it for the child's
	// whole life, so the thread is still its tracer when it is killed.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cmd := &exec.Cmd{
		Path: "/proc/self/exe",
		Args: []string{"ward-idmap-userns"},
		SysProcAttr: &syscall.SysProcAttr{
			Cloneflags:  flags,
			UidMappings: sysMaps(uidMappings),
			GidMappings: sysMaps(gidMappings),
			// A container that joins the namespace sets its groups.
			GidMappingsEnableSetgroups: true,
			Ptrace:                     true,
			Pdeathsig:                  syscall.SIGKILL,
		},
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("user namespace: %w", err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	proc := "/proc/" + strconv.Itoa(cmd.Process.Pid) + "/ns/"
	if user, err = os.Open(proc + "user"); err != nil {
		return nil, nil, fmt.Errorf("user namespace: %w", err)
	}
	if withNet {
		if net, err = os.Open(proc + "net"); err != nil {
			user.Close()
			return nil, nil, fmt.Errorf("network namespace: %w", err)
		}
	}
	return user, net, nil
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

// Bind keeps the namespace ns refers to alive at path (a new file, its
// directory made 0700 when missing), as `ip netns add` does, so a spec
// can join it by path after ns is closed.
func Bind(ns *os.File, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("bind namespace at %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return fmt.Errorf("bind namespace at %s: %w", path, err)
	}
	f.Close()
	if err := unix.Mount("/proc/self/fd/"+strconv.Itoa(int(ns.Fd())), path, "", unix.MS_BIND, ""); err != nil {
		os.Remove(path)
		return fmt.Errorf("bind namespace at %s: %w", path, err)
	}
	return nil
}

// Unbind undoes Bind; a path already gone is fine.
func Unbind(path string) error {
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("unbind namespace at %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("unbind namespace at %s: %w", path, err)
	}
	return nil
}
