package runspec

import (
	"fmt"
	"strings"
)

// namespacedSysctls are the kernel parameters Docker's --sysctl accepts:
// the IPC namespace's kernel.* keys, and fs.mqueue.* and net.* by prefix.
// Each belongs to a namespace the container owns; any other key would
// change the host for every process on it.
var namespacedSysctls = map[string]bool{
	"kernel.msgmax": true, "kernel.msgmnb": true, "kernel.msgmni": true, "kernel.sem": true,
	"kernel.shmall": true, "kernel.shmmax": true, "kernel.shmmni": true, "kernel.shm_rmid_forced": true,
}

// ParseSysctl parses a --sysctl KEY=VALUE and checks that the key is
// namespaced, and not in a namespace the container shares with the host
// (net.* with --network host, the IPC keys with --ipc host).
func ParseSysctl(v string, o Options) (key, value string, err error) {
	key, value, ok := strings.Cut(v, "=")
	if !ok || key == "" {
		return "", "", fmt.Errorf("--sysctl %q: want KEY=VALUE", v)
	}
	shared := ""
	switch {
	case namespacedSysctls[key] || strings.HasPrefix(key, "fs.mqueue."):
		if o.IPC == "host" {
			shared = "--ipc host"
		}
	case strings.HasPrefix(key, "net."):
		if o.Network == "host" {
			shared = "--network host"
		}
	default:
		return "", "", fmt.Errorf("--sysctl %q: %s is not namespaced: setting it would change the host (allowed: net.*, fs.mqueue.* and the IPC keys kernel.msg*, kernel.sem, kernel.shm*)", v, key)
	}
	if shared != "" {
		return "", "", fmt.Errorf("--sysctl %q: with %s the container shares that namespace with the host, so setting it would change the host", v, shared)
	}
	return key, value, nil
}
