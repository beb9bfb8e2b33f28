#!/usr/bin/env bash
# Builds a busybox bundle from Debian's busybox-static package and runs it
# with ward-runtime, showing what the container sees: PID 1 and only its
# own processes, its own hostname, its user, its capabilities, only lo.
set -euo pipefail
runtime=$(readlink -f "${1:-bin/ward-runtime}")
work=${WARD_DEMO_DIR:-/tmp/ward-demo}
rm -rf "$work" && mkdir -p "$work/deb" "$work/bundle/rootfs/bin"
cd "$work/deb"
if ! apt-get download busybox-static >/dev/null 2>&1; then
	# A fresh machine may have no package lists yet.
	apt-get update -qq && apt-get download busybox-static >/dev/null ||
		{ echo "demo: apt-get download busybox-static failed" >&2; exit 1; }
fi
dpkg-deb -x busybox-static_*.deb extract
rootfs="$work/bundle/rootfs"
cp extract/bin/busybox "$rootfs/bin/busybox"
for applet in $("$rootfs/bin/busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
done
mkdir -p "$rootfs"/{proc,sys,dev,etc,tmp}
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\n' >"$rootfs/etc/group"

cd "$work/bundle"
"$runtime" spec
cat >"$rootfs/demo.sh" <<'SCRIPT'
echo -n "inside: my PID is $$; processes I can see: "; echo /proc/[0-9]*
echo "hostname: $(hostname)"
echo "user: $(id)"
grep -E '^Cap(Eff|Bnd)|^NoNewPrivs' /proc/self/status
echo "network interfaces: $(ls /sys/class/net)"
touch /probe 2>/dev/null || echo "root filesystem: read-only"
SCRIPT
# Turn the example spec into a non-interactive run of that script.
sed -i -e 's/"terminal": true/"terminal": false/' -e 's|^\(\t*\)"sh"$|\1"sh", "/demo.sh"|' config.json

echo "== ward-runtime run (bundle: $work/bundle, from Debian's busybox-static)"
"$runtime" --root "$work/state" run demo
echo
echo "== the host's view of a created container"
"$runtime" --root "$work/state" create demo2 >/dev/null
pid=$("$runtime" --root "$work/state" state demo2 | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
echo "host PID of the container's init: $pid ($(grep NSpid /proc/$pid/status))"
"$runtime" --root "$work/state" state demo2 | grep '"status"'
"$runtime" --root "$work/state" delete --force demo2
echo "deleted; containers left: $("$runtime" --root "$work/state" list -q | wc -l)"
