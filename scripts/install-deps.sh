#!/usr/bin/env bash
# Installs the Debian packages ward's tests need, when missing; with the
# argument "demo", only what the demo needs.
set -euo pipefail
pkgs=(busybox-static runc crun gcc libc6-dev libseccomp-dev debootstrap rpm docker.io containerd bsdutils time db5.3-util npm binutils procps tini bash-completion fish)
if [ "${1:-}" = demo ]; then
	pkgs=(busybox-static)
fi
missing=()
for p in "${pkgs[@]}"; do
	# This kind of machine comes with Node.js and npm of its own (not
	# Debian's, whose npm package conflicts with them): use those.
	if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
