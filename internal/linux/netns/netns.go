// Package netns makes persistent network namespaces bound at a path, and
// runs code inside them. It is a kernel mechanism with no policy: the
// engine decides where namespaces live and what goes into them.
//
// A namespace outlives the processes in it because a bind mount of its
// nsfs file keeps it referenced, as `ip netns add` does. That lets the
// engine wire up a container's network (veth, addresses, firewall) before
// the runtime starts the container, and lets the spec join it by path.
//
// Go schedules goroutines on many OS threads, and a network namespace
// belongs to a thread. So every entry into a namespace happens on a
// goroutine locked to its thread; when the thread cannot be put back into
// its original namespace it is left locked, and Go ends the thread when
// the goroutine returns rather than reuse a thread in the wrong namespace.
package netns

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Create makes a new network namespace kept alive by a bind mount at path,
// with lo up inside. The parent directory is created when missing; path
// itself must not exist yet.
func Create(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create netns %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return fmt.Errorf("create netns %s: %w", path, err)
	}
	f.Close()
	err = onThread(func() (bool, error) {
		orig, err := os.Open(threadNetns())
		if err != nil {
			return true, err
		}
		defer orig.Close()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return true, fmt.Errorf("unshare: %w", err)
		}
		// From here the thread is in the new namespace: whatever happens,
		// it must go back before it is reused.
		werr := bindAndUp(path)
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			return false, errors.Join(werr, fmt.Errorf("return to original netns: %w", err))
		}
		return true, werr
	})
	if err != nil {
		unix.Unmount(path, unix.MNT_DETACH)
		os.Remove(path)
		return fmt.Errorf("create netns %s: %w", path, err)
	}
	return nil
}

// bindAndUp runs on a thread inside the new namespace.
func bindAndUp(path string) error {
	if err := unix.Mount(threadNetns(), path, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind mount: %w", err)
	}
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		return fmt.Errorf("find lo: %w", err)
	}
	if err := netlink.LinkSetUp(lo); err != nil {
		return fmt.Errorf("set lo up: %w", err)
	}
	return nil
}

// Remove unmounts and unlinks path; nil when it is already gone. The
// namespace itself disappears once no process or open file holds it.
func Remove(path string) error {
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("remove netns %s: unmount: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove netns %s: %w", path, err)
	}
	return nil
}

// Do runs fn on a locked OS thread inside the namespace at path. Sockets
// and netlink handles fn opens stay in that namespace after Do returns;
// goroutines fn starts run on other threads, outside it.
func Do(path string, fn func() error) error {
	target, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("enter netns %s: %w", path, err)
	}
	defer target.Close()
	var ferr error
	err = onThread(func() (bool, error) {
		orig, err := os.Open(threadNetns())
		if err != nil {
			return true, err
		}
		defer orig.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			return true, fmt.Errorf("setns: %w", err)
		}
		ferr = fn()
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			return false, fmt.Errorf("return to original netns: %w", err)
		}
		return true, nil
	})
	if err != nil {
		return errors.Join(ferr, fmt.Errorf("enter netns %s: %w", path, err))
	}
	return ferr
}

// onThread runs fn on a fresh goroutine locked to its thread. fn reports
// whether the thread is clean; a dirty thread is never unlocked, so Go
// ends it with the goroutine.
func onThread(fn func() (clean bool, err error)) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		clean, err := fn()
		if clean {
			runtime.UnlockOSThread()
		}
		done <- err
	}()
	return <-done
}

// threadNetns names the calling thread's namespace file; /proc/self would
// name the thread group leader's, which is another thread.
func threadNetns() string {
	return fmt.Sprintf("/proc/%d/task/%d/ns/net", os.Getpid(), unix.Gettid())
}

// Bind keeps the existing network namespace ns refers to at path (which
// must not exist yet), with lo up inside: for a namespace made elsewhere,
// such as one owned by a container's user namespace.
func Bind(ns *os.File, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("bind netns %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return fmt.Errorf("bind netns %s: %w", path, err)
	}
	f.Close()
	if err := unix.Mount(fmt.Sprintf("/proc/self/fd/%d", ns.Fd()), path, "", unix.MS_BIND, ""); err != nil {
		os.Remove(path)
		return fmt.Errorf("bind netns %s: %w", path, err)
	}
	err = Do(path, func() error {
		lo, err := netlink.LinkByName("lo")
		if err != nil {
			return fmt.Errorf("find lo: %w", err)
		}
		return netlink.LinkSetUp(lo)
	})
	if err != nil {
		Remove(path)
		return fmt.Errorf("bind netns %s: %w", path, err)
	}
	return nil
}
