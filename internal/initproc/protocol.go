// Package initproc is the container's first process, from the moment it
// wakes up inside its new namespaces to the exec of the user's program.
//
// The parent (`ward-runtime create` or `run`) re-executes its own binary
// as `ward-runtime init`, cloned into the namespaces the spec asks to
// create, after joining on its forking thread the ones it asks to join
// (mount and user ones are joined by the nsenter constructor instead).
// They then talk over a socketpair, one JSON object per line:
//
//	parent                                 init (pid 1 of the container)
//	  | clone(namespaces) --------------------> |
//	  |   (cgroup placement goes here)          |
//	  | --- Config{spec, rootfs, options} ----> |
//	  |                                         | mounts
//	  | <------------- "hooks" ---------------- |   (only when the spec has hooks)
//	  | prestart, createRuntime hooks           |
//	  | ------- "hooks-done" {state} ---------> | createContainer hooks
//	  |                                         | pivot_root, hostname,
//	  |                                         | masked paths, rlimits, caps,
//	  |                                         | user, cwd, look up args[0]
//	  | <--------- {"type":"ready"} ----------- |   or {"type":"error","msg":...}
//	  | writes state.json and the pid file;     |
//	  | create returns                          | blocks reading the exec fifo
//	  :                                         :
//	start: writes one byte to the fifo -------> | startContainer hooks, exec(args)
//	start: poststart hooks
//
// Everything that can fail happens before "ready", so `create` reports it
// and removes what it made; after the fifo byte only exec remains, which
// keeps `start` (our headline latency) to a write and an exec.
package initproc

import specs "github.com/opencontainers/runtime-spec/specs-go"

// Config is what the parent sends the init process.
type Config struct {
	Spec         *specs.Spec `json:"spec"`
	Rootfs       string      `json:"rootfs"` // absolute host path
	NoPivot      bool        `json:"noPivot,omitempty"`
	NoNewKeyring bool        `json:"noNewKeyring,omitempty"`
	// NewCgroupNS asks the init to unshare its cgroup namespace itself,
	// after the parent has placed it in its cgroup, so the namespace's
	// root is the container's cgroup rather than the runtime's.
	NewCgroupNS bool `json:"newCgroupNS,omitempty"`
	NewUserNS   bool `json:"newUserNS,omitempty"`
	NewNetNS    bool `json:"newNetNS,omitempty"`
	// Exec marks a process joining an existing container: no rootfs to
	// build and no fifo to wait on.
	Exec bool `json:"exec,omitempty"`
}

// Message is a line between the init and its parent.
//
// From the init: "ready", "error" (Msg), or "hooks" when the spec has
// prestart or createRuntime hooks, which the parent runs in the runtime's
// namespaces while the init waits, mounts done and pivot_root not yet.
// From the parent, answering "hooks": "hooks-done" with the container's
// State (its host pid, for the init's own createContainer and
// startContainer hooks), or "error".
type Message struct {
	Type  string       `json:"type"`
	Msg   string       `json:"msg,omitempty"`
	State *specs.State `json:"state,omitempty"`
}

// Environment variables and descriptors through which the parent hands
// the init its channels. The sync socket's number is in SyncFDEnv (the
// nsenter constructor reports failures there too); the exec fifo, opened
// read-write so that opening never blocks, is in FifoFDEnv.
const (
	SyncFDEnv = "_WARD_SYNC_FD"
	FifoFDEnv = "_WARD_FIFO_FD"
	// ExeFDEnv is the descriptor of ward-runtime's own binary, which the
	// init was executed through; it must not survive into the container.
	ExeFDEnv = "_WARD_EXE_FD"
	// ConsoleFDEnv is a connection to the caller's console socket, where
	// the init sends the master end of the container's pty.
	ConsoleFDEnv = "_WARD_CONSOLE_FD"
)
