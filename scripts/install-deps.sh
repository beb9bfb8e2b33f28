#!/usr/bin/env bash
# Installs the Debian packages ward's demo and tests need, when missing.
set -euo pipefail
pkgs=(busybox-static runc gcc libseccomp-dev debootstrap rpm docker.io containerd bsdutils)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
