// Package engine keeps containers and runs them: it turns an image into a
// snapshot, the snapshot and `ward run`'s flags into an OCI bundle, and
// drives a runc-compatible runtime over that bundle.
//
// Vocabulary and lifecycle: a container is a record under
// ROOT/containers/<id>/ (container.json, written atomically), its bundle
// (bundle/config.json, whose root is the snapshot's rootfs), its log
// (container.log) and its snapshot. Create makes all of them; status is
// then "created". Supervise is the one place a container's process lives:
// it asks the runtime to create and start it, waits for its init (ward is
// the init's subreaper), records the exit and deletes the runtime's state;
// the record goes "running" then "exited". Supervise runs either in the
// foreground `ward run` or in a detached monitor process. Remove deletes
// the snapshot and the record. A record's monitor lock is held for as long
// as a Supervise runs, which is how other commands know a container is
// watched and wait for its exit to be recorded.
package engine

import (
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
	Devices           []DeviceMapping
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
