#!/usr/bin/env bash
# Runs the manager tests (test/managers): Docker, containerd's ctr and
# containerd's CRI plugin through crictl drive runc and ward-runtime, each
# with daemons the tests start and stop themselves under /tmp. Needs root.
#
#   scripts/managers/run.sh                 # runc and ward-runtime
#   WARD_MANAGERS_RUNTIMES=runc scripts/managers/run.sh   # validate the harness with runc only
#
# crictl is built by the test from the Go module proxy into the user cache
# (sigs.k8s.io/cri-tools v1.34.0) unless WARD_CRICTL or PATH has one.
set -euo pipefail
cd "$(dirname "$0")/../.."
pkgs=(docker.io containerd runc busybox-static bsdutils)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	apt-get update -qq
	# policy-rc.d or not, the tests never use the system's docker or containerd service.
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
exec go test -count=1 -v "$@" ./test/managers/
