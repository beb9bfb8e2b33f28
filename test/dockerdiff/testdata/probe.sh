# What the container sees, one fact a line, in an order both engines share.
# Run as `sh -c "$(cat probe.sh)"`; only busybox applets are used.
echo "id: $(id)"
grep -E '^(Cap[A-Za-z]+|NoNewPrivs|Seccomp):' /proc/self/status
# Builtins only, so the probe's own children are not listed.
echo "procs: " /proc/[0-9]*
h=$(hostname)
echo "hostname length: ${#h}"
echo "pwd: $(pwd)"
# The whole environment, with the container's hostname (in HOSTNAME)
# replaced, since it differs by ID.
env | sort | sed "s/$(hostname)/HOSTNAME/; s/^/env: /"
echo "oom_score_adj: $(cat /proc/self/oom_score_adj)"
# Namespaced kernel parameters a container may be given (--sysctl).
for k in net/ipv4/ip_unprivileged_port_start net/core/somaxconn kernel/shmmni kernel/msgmax fs/mqueue/msg_max; do
	echo "sysctl $k: $(cat /proc/sys/$k 2>&1)"
done
# Whether the cgroup paths the container sees are its own namespace's
# root ("/") or nested in the host's hierarchy (the paths differ per engine).
awk -F: '$3 != "/" { n++ } END { print "cgroup paths: " (n ? "nested" : "root") }' /proc/self/cgroup
echo "lsm label: $(cat /proc/self/attr/current 2>/dev/null)"
echo "umask: $(umask)"
# The standard streams: /dev/null, a pipe, a terminal (numbered per run).
for fd in 0 1 2; do
	case "$(readlink /proc/$$/fd/$fd)" in
	pipe:*) s=pipe ;;
	socket:*) s=socket ;;
	/dev/null) s=/dev/null ;;
	/dev/pts/*) s=terminal ;;
	"") s=closed ;;
	*) s=file ;;
	esac
	echo "fd $fd: $s"
done
echo "ulimit nofile: $(ulimit -n):$(ulimit -Hn) nproc: $(ulimit -u) core: $(ulimit -c)"
# Namespaces: the test replaces the host's own links with "host" and any
# other with "private", since the inode numbers differ from run to run.
for n in cgroup ipc mnt net pid uts; do
	echo "ns $n: $(readlink /proc/self/ns/$n)"
done
# Mount point, type and options. Excluded, because they legitimately differ:
# - options that name host paths or sizes chosen per engine (overlay's
#   lowerdir/upperdir/workdir, index/xino) are dropped, the flags are kept;
#   so is overlay's volatile (fsync=volatile since Linux 6.15): ward mounts
#   a --rm container's writable layer so, as it is deleted at exit, and
#   the host's kernel then skips syncing it;
# - /etc/hostname, /etc/hosts and /etc/resolv.conf: Docker bind-mounts
#   files it writes for its networking, an engine may as well write them
#   into the container's layer; what the container reads in them is
#   compared below instead.
awk '$2 !~ /^\/etc\/(hostname|hosts|resolv\.conf)$/ {
	n = split($4, o, ","); keep = ""
	for (i = 1; i <= n; i++)
		if (o[i] !~ /^(lowerdir|upperdir|workdir|index|xino|redirect_dir|metacopy|fsync)=/ && o[i] != "volatile")
			keep = keep (keep == "" ? "" : ",") o[i]
	print "mount:", $2, $3, keep
}' /proc/self/mounts
# The container's hostname is replaced by "HOSTNAME": it differs by ID.
for f in /etc/hostname /etc/hosts /etc/resolv.conf; do
	if [ -f "$f" ]; then
		sed "s/$(hostname)/HOSTNAME/g; s|^|$f: |" "$f"
	else
		echo "$f: absent"
	fi
done
for p in /proc/acpi /proc/kcore /proc/keys /proc/latency_stats /proc/timer_list /proc/timer_stats /proc/sched_debug /proc/scsi /sys/firmware; do
	if [ -d "$p" ]; then
		echo "masked dir $p: $(ls -A "$p" 2>/dev/null | wc -l) entries"
	elif [ -e "$p" ]; then
		echo "masked file $p: $(head -c 1 "$p" 2>/dev/null | wc -c) bytes"
	else
		echo "masked $p: absent"
	fi
done
for d in / /tmp /dev/shm /data; do
	[ -d "$d" ] && echo "dir $d: $(stat -c '%a %u:%g' "$d")"
done
if touch /probe-write 2>/dev/null; then echo "write /: ok"; else echo "write /: fails"; fi
if (cat /proc/sys/kernel/hostname > /proc/sys/kernel/hostname) 2>/dev/null; then echo "write /proc/sys: ok"; else echo "write /proc/sys: fails"; fi
if touch /tmp/probe-write 2>/dev/null; then echo "write /tmp: ok"; else echo "write /tmp: fails"; fi
if touch /dev/shm/probe-write 2>/dev/null; then echo "write /dev/shm: ok"; else echo "write /dev/shm: fails"; fi
if [ -d /data ]; then
	echo "data: $(cat /data/hello 2>&1)"
	if touch /data/probe-write 2>/dev/null; then echo "write /data: ok"; else echo "write /data: fails"; fi
fi
# Privileged actions, each allowed by one capability.
if mknod /tmp/probe-null c 1 3 2>/dev/null; then echo "mknod: ok"; else echo "mknod: fails"; fi
# The tun/tap clone device, which runc 1.1 lets every container use and
# Docker relies on: made in /dev (a tmpfs without nodev), then opened.
if mknod /dev/probe-tun c 10 200 2>/dev/null; then
	if (exec 3<>/dev/probe-tun) 2>/dev/null; then echo "tun: open ok"; else echo "tun: open fails"; fi
	rm -f /dev/probe-tun
else
	echo "tun: mknod fails"
fi
if chmod 600 /tmp/probe-write 2>/dev/null; then echo "chmod: ok"; else echo "chmod: fails"; fi
if chown 1:1 /tmp/probe-write 2>/dev/null; then echo "chown: ok"; else echo "chown: fails"; fi
if ip link set lo mtu 65535 2>/dev/null; then echo "ip link: ok"; else echo "ip link: fails"; fi
if hostname probe-h 2>/dev/null; then echo "sethostname: ok"; else echo "sethostname: fails"; fi
mkdir -p /tmp/probe-mnt
if mount -t tmpfs probe /tmp/probe-mnt 2>/dev/null; then echo "mount: ok"; else echo "mount: fails"; fi
if chroot / true 2>/dev/null; then echo "chroot: ok"; else echo "chroot: fails"; fi
# Raising its own priority needs CAP_SYS_NICE.
if renice -n -5 $$ >/dev/null 2>&1; then echo "renice -5: ok"; else echo "renice -5: fails"; fi
if unshare -U true 2>/dev/null; then echo "unshare -U: ok"; else echo "unshare -U: fails"; fi
if unshare -m true 2>/dev/null; then echo "unshare -m: ok"; else echo "unshare -m: fails"; fi
# The device cgroup: a node for a block device no container is allowed.
if mknod /tmp/probe-loop b 7 0 2>/dev/null && head -c 1 /tmp/probe-loop >/dev/null 2>&1; then echo "read loop0: ok"; else echo "read loop0: fails"; fi
if head -c 1 /dev/zero >/dev/null 2>&1; then echo "read /dev/zero: ok"; else echo "read /dev/zero: fails"; fi
echo "dev: " $(ls -A /dev)
for d in /dev/*; do
	[ -c "$d" ] && echo "dev node: $(stat -c '%n %A %t:%T %u:%g' "$d")"
done
[ -r /sys/fs/cgroup/memory/memory.oom_control ] && echo "cgroup $(grep oom_kill_disable /sys/fs/cgroup/memory/memory.oom_control)"
for f in memory/memory.limit_in_bytes memory/memory.memsw.limit_in_bytes pids/pids.max cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us memory.max memory.swap.max pids.max cpu.max; do
	[ -r "/sys/fs/cgroup/$f" ] && echo "cgroup $f: $(cat "/sys/fs/cgroup/$f")"
done
true
