#!/usr/bin/env bash
# The main job, end to end: builds a busybox image from Debian's
# busybox-static package, imports it into a ward store of its own, and runs
# containers from it with ward, showing what each can see and do: Docker's
# defaults, then least privilege, then a detached container seen from the
# host; last, the same rootfs as a bare OCI bundle under ward-runtime.
#
# Usage: scripts/demo.sh [BIN_DIR]   (default bin/, where `make build` puts
# ward, ward-runtime and ward-monitor)
set -euo pipefail
bin=$(readlink -f "${1:-bin}")
[ -d "$bin" ] || bin=$(dirname "$bin") # an older spelling passed bin/ward-runtime
ward="$bin/ward"
runtime="$bin/ward-runtime"
# A directory of its own each run, so nothing an earlier run left (or
# another demo running now) is in the way; removed at the end.
work=$(mktemp -d "${WARD_DEMO_DIR:-/tmp}/ward-demo.XXXXXX")
export WARD_ROOT="$work/ward"

cleanup() {
	# Leave nothing behind: containers (their mounts with them), the
	# networks, the runtime's state, then the directory.
	for id in $("$ward" ps -aq 2>/dev/null); do "$ward" rm -f "$id" >/dev/null 2>&1 || true; done
	"$ward" network rm demo-net >/dev/null 2>&1 || true
	"$runtime" --root "$work/state" delete --force demo2 >/dev/null 2>&1 || true
	if grep -q " $work/" /proc/self/mounts; then
		echo "demo: something under $work is still mounted; left in place" >&2
		return
	fi
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/deb" "$work/rootfs/bin"

cd "$work/deb"
if ! apt-get download busybox-static >/dev/null 2>&1; then
	# A fresh machine may have no package lists yet.
	apt-get update -qq && apt-get download busybox-static >/dev/null ||
		{ echo "demo: apt-get download busybox-static failed" >&2; exit 1; }
fi
dpkg-deb -x busybox-static_*.deb extract
rootfs="$work/rootfs"
cp extract/bin/busybox "$rootfs/bin/busybox"
for applet in $("$rootfs/bin/busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
done
mkdir -p "$rootfs"/{proc,sys,dev,etc,tmp,root,home/app}
chmod 1777 "$rootfs/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\napp:x:1000:\n' >"$rootfs/etc/group"
cat >"$rootfs/demo.sh" <<'SCRIPT'
echo "  PID: $$; processes I can see: $(echo /proc/[0-9]* | sed 's|/proc/||g')"
echo "  hostname: $(hostname)"
echo "  user: $(id)"
grep -E '^Cap(Eff|Bnd)|^NoNewPrivs|^Seccomp:' /proc/self/status | sed 's/^/  /'
echo "  network interfaces: $(echo $(ls /sys/class/net))"
touch /probe 2>/dev/null && echo "  root filesystem: writable" || echo "  root filesystem: read-only"
chown 1 /tmp 2>/dev/null && echo "  chown: allowed" || echo "  chown: refused"
SCRIPT
tar -C "$rootfs" -cf "$work/busybox.tar" .
"$ward" import "$work/busybox.tar" busybox:demo >/dev/null
cp "$work/busybox.tar" "$bin/busybox.tar" # kept for the README's walkthrough
echo "== ward images (built from Debian's busybox-static)"
"$ward" images

echo
echo "== ward run --rm busybox:demo sh /demo.sh"
echo "   Docker's defaults: root, the 14 default capabilities, seccomp filter (mode 2)"
"$ward" run --rm busybox:demo sh /demo.sh

echo
echo "== ward run --rm --user app --cap-drop ALL --read-only --security-opt no-new-privileges busybox:demo sh /demo.sh"
echo "   least privilege: a named user, no capabilities at all, no way to gain any, a read-only root"
"$ward" run --rm --user app --cap-drop ALL --read-only --security-opt no-new-privileges busybox:demo sh /demo.sh

echo
echo "== a detached container, seen from the host"
"$ward" run -d --name demo-web --user 1000 --cap-drop ALL busybox:demo sleep 300 >/dev/null
"$ward" ps
pid=$("$ward" inspect demo-web | sed -n 's/.*"Pid": \([0-9]*\).*/\1/p' | head -n 1)
echo "host PID of its PID 1: $pid ($(grep NSpid /proc/"$pid"/status))"
echo "inside, ward exec demo-web ps:"
"$ward" exec demo-web ps | sed 's/^/  /'
"$ward" rm -f demo-web >/dev/null
echo "removed; containers left: $("$ward" ps -aq | wc -l)"

echo
echo "== networks and policies: an internal network (no route off this machine), names, an egress policy"
"$ward" network create --internal demo-net >/dev/null
"$ward" network ls
"$ward" run -d --name demo-db --network demo-net --user 1000 --cap-drop ALL busybox:demo httpd -f -p 8080 -h /etc >/dev/null
echo "demo-db's address on demo-net: $("$ward" inspect demo-db | sed -n 's/.*"IPAddress": "\([0-9.]*\)".*/\1/p' | head -n 1)"
echo "ward run --rm --network demo-net busybox:demo wget -qO- http://demo-db:8080/hostname"
"$ward" run --rm --network demo-net busybox:demo wget -qO- http://demo-db:8080/hostname | sed 's/^/  reached demo-db by name, it answers: /'
echo "ward run --rm --network demo-net --egress deny-all busybox:demo nc -w 2 demo-db 8080"
if out=$("$ward" run --rm --network demo-net --egress deny-all busybox:demo nc -w 2 demo-db 8080 </dev/null 2>&1); then
	echo "  reached demo-db despite the policy: $out" >&2
	exit 1
else
	echo "  blocked: $out (exit status $?)"
fi
echo "  (the policy lives on the host side of the container's veth: root inside cannot lift it)"
"$ward" rm -f demo-db >/dev/null
"$ward" network rm demo-net >/dev/null
echo "removed; networks left: $(echo $("$ward" network ls -q))"

echo
echo "== the same rootfs as an OCI bundle, under ward-runtime (runc's command line)"
mkdir -p "$work/bundle"
cp -a "$rootfs" "$work/bundle/rootfs"
cd "$work/bundle"
"$runtime" spec
# Turn the example spec into a non-interactive run of the script.
sed -i -e 's/"terminal": true/"terminal": false/' -e 's|^\(\t*\)"sh"$|\1"sh", "/demo.sh"|' config.json
"$runtime" --root "$work/state" run demo
"$runtime" --root "$work/state" create demo2 >/dev/null
echo "created demo2: $("$runtime" --root "$work/state" state demo2 | grep '"status"' | tr -d ' ,')"
"$runtime" --root "$work/state" delete --force demo2
echo "deleted; runtime containers left: $("$runtime" --root "$work/state" list -q | wc -l)"
