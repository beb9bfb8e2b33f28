package container

import (
	"os"
	"strings"
	"sync"
	"unsafe"
)

// Between fork and execve a child is a copy of its parent, and what
// /proc/PID/cmdline shows of it is the parent's argument block: for
// `ward-runtime exec`, the host paths of the state root, the log and the
// process file. A child forked into a container's existing pid namespace
// is visible there for that moment, to any process of the container. So
// the argument block is blanked around the fork (the kernel reads it from
// the process's memory, where Go leaves it: os.Args point into it) and
// put back after it: the child is born showing only "ward-runtime".

var (
	argvMu sync.Mutex
	// kernelArgs is the process's argument block, found before anything
	// is parsed (see init).
	kernelArgs []byte
)

// init moves os.Args off the kernel's block. Flag values are substrings
// of os.Args, so while the block is blanked a path parsed from a flag
// (--bundle, a namespace path) would hold NULs, and execve refuses such
// a path with EINVAL. Package initialization runs before main parses any
// flag, so from here on nothing but kernelArgs points into the block.
func init() {
	kernelArgs = argvBlock()
	if kernelArgs == nil {
		return
	}
	for i, a := range os.Args {
		os.Args[i] = strings.Clone(a)
	}
}

// hideArgs blanks the process's argument block but for its first word
// and returns the function that restores it.
func hideArgs() (restore func()) {
	argvMu.Lock()
	block := kernelArgs
	if block == nil {
		argvMu.Unlock()
		return func() {}
	}
	saved := append([]byte(nil), block...)
	shown := "ward-runtime"
	n := copy(block, shown)
	clear(block[n:]) // NULs: cmdline ends at the first one
	return func() {
		copy(block, saved)
		argvMu.Unlock()
	}
}

// argvBlock is the memory of the process's arguments, from the first
// byte of argv[0] to the NUL after the last argument, when os.Args still
// point into one contiguous block (as the Go runtime leaves them).
func argvBlock() []byte {
	if len(os.Args) == 0 || len(os.Args[0]) == 0 {
		return nil
	}
	base := unsafe.StringData(os.Args[0])
	off := 0
	for _, a := range os.Args {
		if len(a) > 0 && unsafe.StringData(a) != (*byte)(unsafe.Add(unsafe.Pointer(base), off)) {
			return nil // not the kernel's block: leave it alone
		}
		off += len(a) + 1
	}
	return unsafe.Slice(base, off-1)
}
