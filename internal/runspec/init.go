package runspec

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// InitPathInContainer is where --init's binary is mounted, as Docker does.
const InitPathInContainer = "/sbin/docker-init"

// withInit prefixes the command with the init when --init asks for it:
// `docker-init -- COMMAND...`, so that PID 1 reaps zombies and forwards
// signals whatever the command does.
func withInit(o Options, args []string) ([]string, error) {
	if !o.Init {
		return args, nil
	}
	if o.InitPath == "" {
		return nil, fmt.Errorf("--init: no init binary found (install Debian's tini package, or put docker-init beside ward)")
	}
	return append([]string{InitPathInContainer, "--"}, args...), nil
}

// initMount is the read-only bind of the host's init binary.
func initMount(hostPath string) specs.Mount {
	return specs.Mount{Destination: InitPathInContainer, Type: "bind", Source: hostPath, Options: []string{"bind", "ro"}}
}
