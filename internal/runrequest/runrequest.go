// Package runrequest turns the command line of `ward run`, `ward
// create` and `ward learn` into the engine's CreateRequest. It only
// gathers what the flags say (env files, --mount, a learned profile, the
// defaults of ward's config file); what they mean for the container,
// Docker's semantics, is decided once, by internal/runspec as it builds
// the OCI spec.
package runrequest

import (
	"errors"
	"os"
	"strings"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/engineconfig"
	"github.com/wardproject/ward/internal/envvar"
	"github.com/wardproject/ward/internal/learnprofile"
	"github.com/wardproject/ward/internal/runpolicy"
	"github.com/wardproject/ward/internal/runspec"
)

// Flags are the values of `ward run`'s flags, spelled as docker's; cmd/ward
// declares them. The flags runspec reads directly are in Options.
type Flags struct {
	Options    runspec.Options
	Rm, Detach bool
	Name       string
	Entrypoint string
	EnvFiles   []string
	Mounts     []string
	PidsLimit  int64
	Runtime    string
	Profile    string // --profile: a profile `ward learn` wrote
	// --profile-mode: enforce, or log (internal/engine/profile_log.go)
	ProfileMode string
	Pull        string                // --pull: always, missing or never (internal/pullpolicy)
	Net         engine.NetworkRequest // -p, -P, --egress, --ingress; --network is Options.Network
	Service     Service               // --init, --restart, --stop-*, --health-*, --log-*
	Policy      runpolicy.Flags       // --policy, --fail-on-vuln, --dry-run, --format
}

// Service are run's flags about a container's life: its init, how it is
// stopped and restarted, its health check and its log.
type Service struct {
	Init        bool
	StopSignal  string
	StopTimeout int
	Restart     string
	Health      engine.HealthRequest
	LogDriver   string
	LogOpts     []string
}

// Request is what the engine creates for the command line args (IMAGE
// [COMMAND [ARG...]]); changed tells whether a flag was given, for the
// flags whose zero value means something (--entrypoint "", --pids-limit 0).
func (f *Flags) Request(args []string, changed func(flag string) bool) (engine.CreateRequest, error) {
	o := f.Options
	o.Cmd = args[1:]
	if changed("entrypoint") {
		o.Entrypoint = &f.Entrypoint
	}
	if changed("pids-limit") {
		o.PidsLimit = &f.PidsLimit
	}
	var env []string
	for _, path := range f.EnvFiles {
		vars, err := envvar.ReadFile(path)
		if err == nil {
			err = runspec.CheckEnv(vars, "--env-file "+path)
		}
		if err != nil {
			return engine.CreateRequest{}, err
		}
		env = append(env, vars...)
	}
	if err := runspec.CheckEnv(o.Env, "-e"); err != nil {
		return engine.CreateRequest{}, err
	}
	o.Env = envvar.Expand(append(env, o.Env...))
	for _, m := range f.Mounts {
		if !engine.IsBindMount(m) {
			o.Mounts = append(o.Mounts, m) // volumes (engine) and tmpfs (runspec)
			continue
		}
		v, err := engine.MountToVolume(m)
		if err != nil {
			return engine.CreateRequest{}, err
		}
		o.Volumes = append(o.Volumes, v)
	}
	if f.Profile != "" {
		p, err := learnprofile.Read(f.Profile)
		if err != nil {
			return engine.CreateRequest{}, err
		}
		o.Profile = p
	}
	if changed("profile-mode") {
		o.ProfileMode = f.ProfileMode
		if f.Detach && o.ProfileMode == learnprofile.ModeLog {
			// ward-monitor does not watch the calls: refused rather than unreported.
			return engine.CreateRequest{}, errors.New("--profile-mode log: not with -d: ward reports the calls outside the profile while it runs the container in the foreground")
		}
	}
	if !changed("userns") {
		cfg, err := engineconfig.Read()
		if err != nil {
			return engine.CreateRequest{}, err
		}
		o.Userns = cfg.Userns
	}
	req := engine.CreateRequest{Name: f.Name, Image: args[0], Run: o, AutoRemove: f.Rm}
	f.Service.apply(&req, changed("stop-timeout"))
	req.Net = f.Net
	if req.Run.Network == "" {
		n, err := DefaultNetwork()
		if err != nil {
			return req, err
		}
		req.Run.Network = n
	}
	return req, nil
}

// apply puts the flags into the request; the init binary is found here,
// once, so the spec names the file that will be mounted. The stop
// timeout counts only when given (stopTimeoutGiven): nil means Docker's 10.
func (s *Service) apply(req *engine.CreateRequest, stopTimeoutGiven bool) {
	if s.Init {
		req.Run.Init = true
		req.Run.InitPath = engine.FindInit()
	}
	req.Service.StopSignal = s.StopSignal
	req.Service.Restart = s.Restart
	req.Service.Health = s.Health
	req.Service.LogDriver, req.Service.LogOpts = s.LogDriver, SplitLogOpts(s.LogOpts)
	if stopTimeoutGiven {
		t := s.StopTimeout
		req.Service.StopTimeout = &t
	}
}

// SplitLogOpts accepts Docker's repeated --log-opt and a comma-separated
// list in one (max-size=10m,max-file=3).
func SplitLogOpts(opts []string) []string {
	var out []string
	for _, o := range opts {
		out = append(out, strings.Split(o, ",")...)
	}
	return out
}

// DefaultNetwork is the network of a `ward run` without --network:
// $WARD_DEFAULT_NETWORK, else "default-network" in ward's config file,
// else the default bridge, as Docker's.
func DefaultNetwork() (string, error) {
	if v := os.Getenv("WARD_DEFAULT_NETWORK"); v != "" {
		return v, nil
	}
	cfg, err := engineconfig.Read()
	if err != nil {
		return "", err
	}
	if cfg.DefaultNetwork != "" {
		return cfg.DefaultNetwork, nil
	}
	return "bridge", nil
}

// WithProfile is req run under the learned profile p (`ward learn
// --verify`), as `--profile` would make it.
func WithProfile(req engine.CreateRequest, p *learnprofile.Profile) engine.CreateRequest {
	req.Run.Profile = p
	return req
}
