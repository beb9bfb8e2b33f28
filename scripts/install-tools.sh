#!/usr/bin/env bash
# Builds the peer tools some tests compare ward with (syft and trivy for
# `ward sbom`, crictl for the CRI test, cosign for `ward sign`/`verify`), from the Go module proxy, into
# ${WARD_TOOLS:-$HOME/.cache/ward/bin}. Tests that need one skip with a
# message when it is missing; CI runs this first so nothing skips there.
set -euo pipefail
export PATH=/usr/local/go/bin:$PATH
bin=${WARD_TOOLS:-$HOME/.cache/ward/bin}
mkdir -p "$bin"
install() { # name, go install args...
	local name=$1; shift
	if [ -x "$bin/$name" ]; then return; fi
	echo "building $name ($*)"
	GOBIN=$bin go install "$@"
}
install syft github.com/anchore/syft/cmd/syft@v1.57.1
GOEXPERIMENT=jsonv2 install trivy github.com/aquasecurity/trivy/cmd/trivy@v0.74.0
install crictl sigs.k8s.io/cri-tools/cmd/crictl@v1.34.0
# cosign 2.x for the signature interop tests (v2.6.5 builds with Go 1.26).
install cosign github.com/sigstore/cosign/v2/cmd/cosign@v2.6.5
echo "$bin"
