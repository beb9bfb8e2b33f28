package runspec

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	mobyseccomp "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Security is what --security-opt says.
type Security struct {
	NoNewPrivileges bool
	// Seccomp is "" for Docker's default profile, "unconfined" for none,
	// or the path of a profile file.
	Seccomp string
	// AppArmor is apparmor=PROFILE: "" for the host's default, "unconfined",
	// or a profile's name.
	AppArmor string
	// Labels are the label=... values: "disable", or TYPE:VALUE with TYPE
	// user, role, type, level or filetype (SELinux).
	Labels []string
}

// ParseSecurityOpts parses --security-opt values as Docker does:
// no-new-privileges alone or with :BOOL or =BOOL, seccomp=unconfined or
// seccomp=PROFILE.json (":" is Docker's deprecated separator and is
// accepted too).
func ParseSecurityOpts(opts []string) (Security, error) {
	var s Security
	for _, opt := range opts {
		if opt == "no-new-privileges" {
			s.NoNewPrivileges = true
			continue
		}
		key, val, ok := strings.Cut(opt, "=")
		if !ok {
			key, val, ok = strings.Cut(opt, ":")
		}
		if !ok {
			return Security{}, fmt.Errorf("--security-opt %q: want no-new-privileges[:true|false], seccomp=unconfined|PROFILE.json, apparmor=PROFILE or label=...", opt)
		}
		switch key {
		case "no-new-privileges":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return Security{}, fmt.Errorf("--security-opt %q: %q is not true or false", opt, val)
			}
			s.NoNewPrivileges = b
		case "seccomp":
			if val == "" {
				return Security{}, fmt.Errorf("--security-opt %q: name a profile file or unconfined", opt)
			}
			s.Seccomp = val
		case "apparmor":
			if val == "" {
				return Security{}, fmt.Errorf("--security-opt %q: name a profile or unconfined", opt)
			}
			s.AppArmor = val
		case "label":
			kind, v, ok := strings.Cut(val, ":")
			switch {
			case val == "disable":
			case ok && v != "" && (kind == "user" || kind == "role" || kind == "type" || kind == "level" || kind == "filetype"):
			default:
				return Security{}, fmt.Errorf("--security-opt %q: want label=disable or label=user|role|type|level|filetype:VALUE", opt)
			}
			s.Labels = append(s.Labels, val)
		default:
			return Security{}, fmt.Errorf("--security-opt %q: unsupported option %q (ward knows no-new-privileges, seccomp, apparmor and label)", opt, key)
		}
	}
	return s, nil
}

// readProfile reads a seccomp profile file named by --security-opt.
func readProfile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("--security-opt seccomp=%s: %w", path, err)
	}
	return string(data), nil
}

// linuxSecurityModules checks apparmor= and label= against the host's
// LSMs and returns the AppArmor profile the spec names. "unconfined" and
// "disable" ask for no confinement and are accepted everywhere; a named
// profile or label on a host without that LSM is refused, since the
// container would run without the confinement it asked for (Docker 20.10
// ignores it silently).
func linuxSecurityModules(sec Security, host *Host) (apparmor string, err error) {
	switch {
	case sec.AppArmor == "":
	case sec.AppArmor == "unconfined":
		if host.AppArmor {
			apparmor = "unconfined"
		}
	case !host.AppArmor:
		return "", fmt.Errorf("--security-opt apparmor=%s: this host has no AppArmor, so the profile cannot be applied", sec.AppArmor)
	default:
		apparmor = sec.AppArmor
	}
	for _, l := range sec.Labels {
		if l == "disable" {
			continue
		}
		if !host.SELinux {
			return "", fmt.Errorf("--security-opt label=%s: this host has no SELinux, so the label cannot be applied", l)
		}
		// Composing a process and mount label needs the host's SELinux
		// policy; ward does not do it yet, and says so rather than run
		// the container unlabelled.
		return "", fmt.Errorf("--security-opt label=%s: ward does not apply SELinux labels yet", l)
	}
	return apparmor, nil
}

// CheckSeccompProfile reads a --security-opt seccomp=PROFILE file,
// specialises it for a spec granting caps and compiles it, so that a
// missing or malformed profile fails before anything is made.
func CheckSeccompProfile(path string, caps []string) error {
	s := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: caps}}}
	_, err := loadProfile(path, s)
	return err
}

// loadProfile reads a profile file and specialises it for s as Docker
// does, then checks its actions, operators and architectures against the
// runtime spec's lists, so that a profile no runtime could load fails
// here rather than in the runtime. (The compiler itself is the runtime's:
// building a spec does not link it.)
func loadProfile(path string, s *specs.Spec) (*specs.LinuxSeccomp, error) {
	body, err := readProfile(path)
	if err != nil {
		return nil, err
	}
	profile, err := mobyseccomp.LoadProfile(body, s)
	if err != nil {
		return nil, fmt.Errorf("--security-opt seccomp=%s: %w", path, err)
	}
	if err := checkProfile(profile); err != nil {
		return nil, fmt.Errorf("--security-opt seccomp=%s: %w", path, err)
	}
	return profile, nil
}

// seccompActions and seccompOperators are the runtime spec's.
var (
	seccompActions = []specs.LinuxSeccompAction{
		specs.ActKill, specs.ActKillProcess, specs.ActKillThread, specs.ActTrap, specs.ActErrno,
		specs.ActTrace, specs.ActAllow, specs.ActLog, specs.ActNotify,
	}
	seccompOperators = []specs.LinuxSeccompOperator{
		specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual, specs.OpEqualTo,
		specs.OpGreaterEqual, specs.OpGreaterThan, specs.OpMaskedEqual,
	}
)

// checkProfile checks what a runtime would refuse in a specialised
// profile: an unknown action or operator, a rule naming no syscall, an
// architecture that is not SCMP_ARCH_*.
func checkProfile(p *specs.LinuxSeccomp) error {
	if !slices.Contains(seccompActions, p.DefaultAction) {
		return fmt.Errorf("unknown defaultAction %q", p.DefaultAction)
	}
	for _, a := range p.Architectures {
		if !strings.HasPrefix(string(a), "SCMP_ARCH_") {
			return fmt.Errorf("unknown architecture %q", a)
		}
	}
	for i, sc := range p.Syscalls {
		if !slices.Contains(seccompActions, sc.Action) {
			return fmt.Errorf("syscalls[%d] %v: unknown action %q", i, sc.Names, sc.Action)
		}
		if len(sc.Names) == 0 {
			return fmt.Errorf("syscalls[%d]: no syscall names", i)
		}
		for _, a := range sc.Args {
			if !slices.Contains(seccompOperators, a.Op) {
				return fmt.Errorf("syscalls[%d] %v: unknown operator %q", i, sc.Names, a.Op)
			}
		}
	}
	return nil
}
