package engine

import (
	"encoding/json"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/runspec"
)

// recordProfileSeccomp records the filter a learned profile (`ward run
// --profile`) put in the spec as Docker's inspect shows a filter given
// as a file (`--security-opt seccomp=FILE`): "seccomp=" and the profile
// as compact JSON. It is the spec's own filter, read from what the
// runtime receives (in --profile-mode log with its SCMP_ACT_LOG default
// action), and in a form Docker's seccomp format reads as it is: saved
// to a file, `--security-opt seccomp=FILE` loads the same filter.
func recordProfileSeccomp(c *record.Container, s *specs.Spec) {
	hc := &c.HostConfig
	if hc.Privileged || s.Linux == nil || s.Linux.Seccomp == nil || runspec.SeccompAllowsAll(s.Linux.Seccomp) {
		return // unconfined, recorded as such by recordSecurity
	}
	data, err := json.Marshal(s.Linux.Seccomp)
	if err != nil {
		return
	}
	hc.SecurityOpt = append(hc.SecurityOpt, "seccomp="+string(data))
}
