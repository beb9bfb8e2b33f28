package dockerdiff

import (
	"path/filepath"
	"slices"
)

// agreeCase is one command line both engines run the probe with.
type agreeCase struct {
	name  string
	flags []string
	image string // the busybox image when empty
	// wardFlags go to ward only, after flags: a choice such as --runtime
	// that Docker spells differently, under which the container must
	// still see what Docker's sees.
	wardFlags []string
}

// identities are who every flag set in flagSets runs as: root, a UID
// with no passwd entry (gid 0, HOME=/), and a named user with a
// supplementary group from the image's /etc/group.
var identities = []struct {
	name  string
	flags []string
}{
	{"root", nil},
	{"uid 1001", []string{"--user", "1001"}},
	{"named user", []string{"--user", "alice"}},
}

// flagSets are the issue's `ward run` flags, alone and combined, each run
// as every identity. volume is a host directory holding a file "hello";
// testdata the absolute path of testdata/.
func flagSets(volume, testdata string) []agreeCase {
	profile := "seccomp=" + filepath.Join(testdata, "no-chmod.json")
	envFile := filepath.Join(testdata, "env-file")
	return []agreeCase{
		{name: "defaults"},
		{name: "read-only", flags: []string{"--read-only"}},
		{name: "read-only with tmpfs", flags: []string{"--read-only", "--tmpfs", "/tmp"}},
		{name: "tmpfs with options", flags: []string{"--tmpfs", "/tmp:rw,size=1m,mode=1770"}},
		// The volume is root's, 0755: a user reads it and cannot write.
		{name: "volume", flags: []string{"-v", volume + ":/data"}},
		{name: "read-only volume", flags: []string{"-v", volume + ":/data:ro"}},
		{name: "mount bind readonly", flags: []string{"--mount", "type=bind,source=" + volume + ",target=/data,readonly"}},
		{name: "read-only root, writable volume", flags: []string{"--read-only", "-v", volume + ":/data:rw"}},
		{name: "seccomp profile", flags: []string{"--security-opt", profile}},
		{name: "seccomp unconfined", flags: []string{"--security-opt", "seccomp=unconfined"}},
		{name: "no-new-privileges", flags: []string{"--security-opt", "no-new-privileges"}},
		// As a user the added capability is only in the bounding set.
		{name: "cap-add and cap-drop, lower case", flags: []string{"--cap-add", "cap_net_admin", "--cap-drop", "chown"}},
		{name: "cap-drop ALL cap-add one", flags: []string{"--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE"}},
		{name: "ulimits", flags: []string{"--ulimit", "nofile=512:1024", "--ulimit", "core=1048576:2097152"}},
		{name: "memory and pids limits", flags: []string{"--memory", "64m", "--pids-limit", "50"}},
		{name: "cpus, memory and memory-swap", flags: []string{"--cpus", "0.5", "--memory", "64m", "--memory-swap", "128m"}},
		// The host's processes are listed: the test compares only that
		// both see the host's PID namespace (see normalize).
		{name: "pid host", flags: []string{"--pid", "host"}},
		{name: "ipc host", flags: []string{"--ipc", "host"}},
		{name: "network host", flags: []string{"--network", "host"}},
		{name: "hostname", flags: []string{"--hostname", "h1"}},
		{name: "workdir and env", flags: []string{"-w", "/tmp", "-e", "FOO=bar"}},
		{name: "env file", flags: []string{"--env-file", envFile}},
		{name: "entrypoint", flags: []string{"--entrypoint", "/bin/sh"}},
		// What the standard streams are: a terminal, a pipe kept open, or,
		// detached, the pipes the engine's log keeper (shim, monitor) reads.
		{name: "terminal", flags: []string{"-t"}},
		{name: "interactive", flags: []string{"-i"}},
		{name: "detached", flags: []string{"-d"}},
		// The least-privilege tools: one device (the host's fuse; a device
		// under another name is in TestServicesAlike, since a runtime in
		// a user namespace binds nodes by their container path), one
		// device-cgroup rule (loop devices, probed by mknod),
		// supplementary groups by name and number, namespaced sysctls, the
		// cgroup namespace, the OOM settings, and the LSM options that ask
		// for no confinement.
		{name: "device", flags: []string{"--device", "/dev/fuse"}},
		{name: "device-cgroup-rule", flags: []string{"--device-cgroup-rule", "b 7:* rwm"}},
		{name: "group-add", flags: []string{"--group-add", "staff", "--group-add", "5000"}},
		{name: "sysctl", flags: []string{"--sysctl", "net.ipv4.ip_unprivileged_port_start=1024", "--sysctl", "net.core.somaxconn=512", "--sysctl", "kernel.shmmni=8192", "--sysctl", "fs.mqueue.msg_max=20"}},
		{name: "cgroupns private", flags: []string{"--cgroupns", "private"}},
		{name: "cgroupns host", flags: []string{"--cgroupns", "host"}},
		{name: "oom-score-adj", flags: []string{"--oom-score-adj", "500"}},
		{name: "oom-kill-disable", flags: []string{"--oom-kill-disable", "--memory", "64m"}},
		{name: "apparmor unconfined, label disable", flags: []string{"--security-opt", "apparmor=unconfined", "--security-opt", "label=disable"}},
		{name: "least privilege together", flags: []string{
			"--cap-drop", "ALL", "--device", "/dev/fuse:/dev/fuse:rw", "--group-add", "staff",
			"--sysctl", "net.ipv4.ip_unprivileged_port_start=0", "--cgroupns", "private",
			"--oom-score-adj", "100", "--read-only", "--security-opt", "no-new-privileges",
		}},
		// An init as PID 1 (Docker's docker-init, Debian's tini), mounted
		// read-only at /sbin/docker-init.
		{name: "init", flags: []string{"--init"}},
		{name: "host namespaces together", flags: []string{"--pid", "host", "--ipc", "host", "--network", "host"}},
		{name: "everything together", flags: []string{
			"--read-only", "--tmpfs", "/tmp", "-v", volume + ":/data",
			"--security-opt", profile, "--security-opt", "no-new-privileges:true",
			"--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE",
			"--ulimit", "nofile=512:1024", "--pids-limit", "50", "--memory", "64m",
			"--memory-swap", "128m", "--cpus", "0.5", "--hostname", "h1",
			"-w", "/data", "-e", "FOO=bar", "--env-file", envFile, "--entrypoint", "/bin/sh",
		}},
		// ward drives any runc-compatible runtime: under runc itself (what
		// Docker runs) the container must see the same again.
		{name: "ward with runc", wardFlags: []string{"--runtime", "runc"}},
		{name: "everything together, ward with runc", flags: []string{
			"--read-only", "--tmpfs", "/tmp", "-v", volume + ":/data:ro",
			"--security-opt", profile, "--ulimit", "nofile=512:1024", "--pids-limit", "50",
			"--memory", "64m", "--cpus", "0.5", "--hostname", "h1", "-w", "/tmp", "-e", "FOO=bar",
		}, wardFlags: []string{"--runtime", "runc"}},
	}
}

// specialCases are the ones tied to one identity or image: users given
// other ways, the image's own USER, and capabilities that Docker's
// seccomp profile looks at.
var specialCases = []agreeCase{
	{name: "image with USER, WORKDIR and ENV", image: userImage},
	{name: "image with USER, overridden", flags: []string{"--user", "0", "-w", "/", "-e", "FOO=bar"}, image: userImage},
	{name: "image with USER, cap-add", flags: []string{"--cap-add", "NET_ADMIN", "--read-only"}, image: userImage},
	{name: "user uid:gid", flags: []string{"--user", "1001:1001"}},
	{name: "user nobody", flags: []string{"--user", "nobody"}},
	{name: "user name:group", flags: []string{"--user", "alice:staff"}},
	{name: "user uid:0 with caps", flags: []string{"--user", "1001:0", "--cap-add", "SYS_ADMIN", "--cap-drop", "NET_RAW"}},
	{name: "user no-new-privileges read-only", flags: []string{"--user", "nobody", "--security-opt", "no-new-privileges:true", "--read-only"}},
	{name: "user nobody, cap-drop ALL, no-new-privileges", flags: []string{"--user", "nobody", "--cap-drop", "ALL", "--security-opt", "no-new-privileges"}},
	// As a user only the bounding set is asked for, and the runtime only
	// drops from it: Docker succeeds on this host.
	{name: "cap-add ALL as uid 1001", flags: []string{"--cap-add", "ALL", "--user", "1001"}},
	{name: "cap-add ALL as named user", flags: []string{"--cap-add", "ALL", "--user", "alice"}},
	{name: "privileged as uid 1001", flags: []string{"--privileged", "--user", "1001"}},
	{name: "privileged, read-only, as named user", flags: []string{"--privileged", "--read-only", "--user", "alice"}},
	// Docker's seccomp profile allows mount, unshare and more only when
	// CAP_SYS_ADMIN is added; likewise for SYS_NICE and others.
	{name: "cap-add SYS_ADMIN", flags: []string{"--cap-add", "SYS_ADMIN"}},
	{name: "cap-add SYS_NICE and SYS_PTRACE", flags: []string{"--cap-add", "SYS_NICE", "--cap-add", "SYS_PTRACE"}},
	{name: "cap-add SYS_ADMIN, seccomp unconfined", flags: []string{"--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined"}},
}

// agreeCases are every flag set as every identity, then the special cases.
func agreeCases(volume, testdata string) []agreeCase {
	var out []agreeCase
	for _, set := range flagSets(volume, testdata) {
		for _, id := range identities {
			c := set
			c.name = set.name + " as " + id.name
			c.flags = append(slices.Clone(id.flags), set.flags...)
			out = append(out, c)
		}
	}
	return append(out, specialCases...)
}
