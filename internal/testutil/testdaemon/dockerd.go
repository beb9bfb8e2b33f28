package testdaemon

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// DockerClient returns the docker client to drive a test's dockerd:
// Debian's, which matches Debian's daemon (another docker earlier on PATH
// may be another version), else the one on PATH, else "" when none is
// installed.
func DockerClient() string {
	if _, err := os.Stat("/usr/bin/docker"); err == nil {
		return "/usr/bin/docker"
	}
	p, _ := exec.LookPath("docker")
	return p
}

// StartDockerd starts Debian's dockerd with everything under work: data
// root, exec root (where it starts its own containerd), pid file, socket
// and an empty config file, so a system Docker is neither read nor
// touched. No iptables and no bridge: containers use --network none. extra
// are more flags (--cgroup-parent, --add-runtime). It returns the socket;
// the daemon is stopped at tb's cleanup.
func StartDockerd(tb testing.TB, work string, extra ...string) string {
	tb.Helper()
	bin, err := exec.LookPath("dockerd")
	if err != nil {
		tb.Skip("skipped: dockerd is not installed (apt-get install docker.io)")
	}
	config := filepath.Join(work, "daemon.json")
	if err := os.WriteFile(config, []byte("{}\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	socket := filepath.Join(work, "docker.sock")
	argv := append([]string{bin,
		"--config-file", config,
		"--data-root", filepath.Join(work, "data"),
		"--exec-root", filepath.Join(work, "exec"),
		"--pidfile", filepath.Join(work, "docker.pid"),
		"--host", "unix://" + socket,
		"--iptables=false", "--ip6tables=false", "--ip-masq=false", "--bridge=none",
		"--userland-proxy=false", "--storage-driver=overlay2",
	}, extra...)
	Start(tb, "dockerd", filepath.Join(work, "dockerd.log"), socket, argv...)
	return socket
}
