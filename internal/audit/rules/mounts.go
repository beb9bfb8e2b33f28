package rules

import (
	"path"
	"slices"
	"strings"

	"github.com/wardproject/ward/internal/workload"
)

// mountClass sorts a host mount into the one rule that reports it, so each
// mount yields exactly one finding: the most severe that fits.
type mountClass int

const (
	notHostPath mountClass = iota
	plainHostPath
	sensitiveHostPath
	runtimeSocket
)

// sensitiveExact are host directories whose mount is dangerous as a whole;
// sensitiveTree are those where any path below is too (docker-bench 5.5,
// plus the runtimes' and kubelet's state).
var (
	sensitiveExact = []string{"/", "/usr", "/lib", "/lib64", "/bin", "/sbin", "/var", "/run", "/var/run", "/home"}
	sensitiveTree  = []string{"/etc", "/proc", "/sys", "/boot", "/dev", "/root", "/var/lib/docker", "/var/lib/containerd", "/var/lib/kubelet", "/run/containerd", "/var/run/containerd", "/var/log"}
	socketNames    = []string{"docker.sock", "containerd.sock", "crio.sock", "podman.sock", "dockershim.sock", "ward.sock"}
)

// engineFiles are the host files runtimes bind read-only into every
// container; in a bundle or inspect output they are the engine's doing.
var engineFiles = []string{"/etc/resolv.conf", "/etc/hosts", "/etc/hostname", "/etc/localtime", "/etc/timezone"}

func classifyMount(k workload.Kind, m workload.Mount) mountClass {
	if !m.IsHostPath() {
		return notHostPath
	}
	src := m.Source
	if strings.HasPrefix(src, "/") {
		src = path.Clean(src)
	}
	if (k == workload.KindOCI || k == workload.KindInspect) && m.ReadOnly && slices.Contains(engineFiles, src) {
		return notHostPath
	}
	for _, s := range socketNames {
		if path.Base(src) == s {
			return runtimeSocket
		}
	}
	for _, s := range sensitiveExact {
		if src == s {
			return sensitiveHostPath
		}
	}
	for _, s := range sensitiveTree {
		if src == s || strings.HasPrefix(src, s+"/") {
			return sensitiveHostPath
		}
	}
	return plainHostPath
}

func describeMount(m workload.Mount) string {
	s := "host path " + quote(m.Source) + " mounted at " + quote(m.Destination)
	if m.ReadOnly {
		return s + " (read-only)"
	}
	return s + " (read-write)"
}
