package runspec

import (
	"fmt"

	mobyseccomp "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// DockerSeccomp returns Docker's default seccomp profile, as
// github.com/moby/profiles/seccomp defines it, specialised for a container
// whose bounding capability set is caps (names like "CAP_SYS_ADMIN"): the
// profile allows some syscalls only with a capability (mount and unshare
// with CAP_SYS_ADMIN, for instance), some only from a kernel version on
// (compared with the running kernel), and lists x86_64, x86 and x32 on an
// amd64 host. It is data, not the compiler: building a spec does not
// link internal/linux/seccomp.
func DockerSeccomp(caps []string) (*specs.LinuxSeccomp, error) {
	spec := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: caps}}}
	profile, err := mobyseccomp.GetDefaultProfile(spec)
	if err != nil {
		return nil, fmt.Errorf("building docker default seccomp profile: %w", err)
	}
	return profile, nil
}
