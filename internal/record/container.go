// Package record is a container's record as ward keeps it under
// ROOT/containers/<id>/container.json, in `docker inspect`'s shape, and the
// directory of those records: names, IDs and their prefixes, the lock the
// record store takes to keep names unique, and the monitor lock held for
// as long as a container's process is supervised. It knows nothing of
// runtimes, images or networks, so ward-audit can read records without
// linking the engine.
package record

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/wardproject/ward/internal/runspec"
	"strings"
	"time"
)

// Status is a container's state as Docker names it.
type Status string

// The statuses a record goes through.
const (
	StatusCreated Status = "created"
	StatusRunning Status = "running"
	StatusExited  Status = "exited"
)

// CanStart tells whether a container in this status may be started.
func (s Status) CanStart() bool { return s == StatusCreated || s == StatusExited }

// CanKill tells whether a container in this status has a process to signal.
func (s Status) CanKill() bool { return s == StatusRunning }

// Container is a container's record, in the shape `docker inspect`
// prints, so that `ward inspect` prints records as they are.
type Container struct {
	ID      string `json:"Id"`
	Created time.Time
	Path    string
	Args    []string
	State   State
	Image   string // the image ID, sha256:...
	LogPath string
	Name    string // with Docker's leading slash
	// RestartCount is how many times the restart policy restarted it.
	RestartCount int
	Driver       string
	Platform     string
	HostConfig   HostConfig
	// Mounts are the host paths the container sees (-v, --mount), as
	// docker inspect lists them; see record_spec.go.
	Mounts []MountPoint `json:",omitempty"`
	Config Config
	// NetworkSettings: see network.go.
	NetworkSettings *NetworkSettings `json:",omitempty"`
}

// ShortName is the container's name without Docker's leading slash.
func (c *Container) ShortName() string { return strings.TrimPrefix(c.Name, "/") }

// State is what the container's process is doing, or did.
type State struct {
	Status     Status
	Running    bool
	Paused     bool
	Restarting bool
	OOMKilled  bool
	Dead       bool
	Pid        int
	ExitCode   int
	Error      string
	StartedAt  time.Time
	FinishedAt time.Time
	Health     *Health `json:",omitempty"` // health.go
	// ProfileDenials are the system calls outside the container's
	// profile it made under --profile-mode log (profile_log.go).
	ProfileDenials []string `json:",omitempty"`
	// ProfileDenialGaps say why ProfileDenials may be incomplete
	// (profile_denials.go): an observer that stopped early or saw nothing.
	ProfileDenialGaps []string `json:",omitempty"`
}

// Config is the part of the record that describes the process.
type Config struct {
	Hostname   string
	User       string
	Tty        bool
	OpenStdin  bool
	Env        []string
	Cmd        []string
	Image      string // the reference the user gave
	WorkingDir string
	Entrypoint []string
	Labels     map[string]string
	// StopSignal and StopTimeout are what `ward stop` uses (service.go).
	StopSignal  string        `json:",omitempty"`
	StopTimeout *int          `json:",omitempty"`
	Healthcheck *HealthConfig `json:",omitempty"` // health.go
}

// HostConfig is the part of the record that describes privileges,
// namespaces, mounts and limits, named as Docker names them.
type HostConfig struct {
	Binds          []string
	NetworkMode    string
	PidMode        string
	IpcMode        string
	Privileged     bool
	CapAdd         []string
	CapDrop        []string
	ReadonlyRootfs bool
	SecurityOpt    []string
	Tmpfs          map[string]string
	Memory         int64
	MemorySwap     int64
	NanoCpus       int64
	PidsLimit      *int64
	Ulimits        []Ulimit
	AutoRemove     bool
	Runtime        string
	PortBindings   map[string][]PortBinding `json:",omitempty"` // -p and -P, see network.go
	UsernsMode     string
	// IDMappings is the user namespace's mapping with --userns auto
	// (Podman's field), see userns.go.
	IDMappings *IDMappings `json:",omitempty"`

	// The least-privilege flags (privileges.go).
	Devices           []runspec.DeviceMapping
	DeviceCgroupRules []string
	GroupAdd          []string
	Sysctls           map[string]string `json:",omitempty"`
	CgroupnsMode      string
	OomScoreAdj       int
	OomKillDisable    bool
	Init              *bool `json:",omitempty"`
	RestartPolicy     RestartPolicy
	LogConfig         LogConfig
}

// Ulimit is one --ulimit, as Docker records it.
type Ulimit struct {
	Name string
	Hard int64
	Soft int64
}

// MountPoint is one host path the container sees, in `docker inspect`'s
// top-level Mounts shape: what -v and --mount made of it.
type MountPoint struct {
	Type        string // bind, or volume (see volumes.go)
	Name        string `json:",omitempty"` // a volume's
	Source      string
	Destination string
	Driver      string `json:",omitempty"` // a volume's: local
	Mode        string
	RW          bool
	Propagation string
}

// NetworkSettings is the network part of a container's record, in
// docker inspect's shape, plus the policy ward enforces.
type NetworkSettings struct {
	SandboxKey string `json:",omitempty"`
	// IPAddress, Gateway and MacAddress repeat the default bridge's
	// endpoint, as Docker's inspect does for scripts that read them.
	IPAddress  string                       `json:",omitempty"`
	Gateway    string                       `json:",omitempty"`
	MacAddress string                       `json:",omitempty"`
	Ports      map[string][]PortBinding     `json:",omitempty"`
	Networks   map[string]*EndpointSettings `json:",omitempty"`
	// Policy is ward's own: the effective egress and ingress allow-lists.
	Policy *EffectivePolicy `json:",omitempty"`
}

// EndpointSettings is one network of a container, as docker inspect
// prints it.
type EndpointSettings struct {
	NetworkID   string
	Gateway     string
	IPAddress   string
	IPPrefixLen int
	MacAddress  string
	Aliases     []string `json:",omitempty"`
}

// PortBinding is one host side of a published port, spelled as Docker's.
type PortBinding struct {
	HostIp   string //nolint:revive // Docker's spelling
	HostPort string
}

// EffectivePolicy is what a container may send and receive: "allow-all",
// "deny-all", or the allow-list's canonical text.
type EffectivePolicy struct {
	Egress  string
	Ingress string
}

// IDMappings is a container's user namespace mapping as Podman's inspect
// shows it: "CONTAINER:HOST:SIZE" strings.
type IDMappings struct {
	UidMap []string
	GidMap []string
}

// Preview is what Create would make, made of nothing: the record and the
// OCI spec the runtime would receive, built by the same code as a real
// create, with --user resolved against the image's layers instead of a
// mounted rootfs. It is what `ward run --policy` and `--dry-run` judge.
type Preview struct {
	Record *Container
	Spec   *specs.Spec
}
