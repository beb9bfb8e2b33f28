package main

import (
	"encoding/json"
	"fmt"
	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/sibling"
	"os"
	"os/exec"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/ociruntime"
)

// newContainerCommands returns the container verbs, and `ward container`
// grouping them as docker does.
func newContainerCommands() []*cobra.Command {
	// rmi asks the records which containers use an image.
	imageStoreInUse = func(id v1.Hash) ([]string, error) {
		dir := cli.Layout().Containers()
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			return nil, nil
		}
		r, err := record.OpenRecords(dir)
		if err != nil {
			return nil, err
		}
		return r.UsingImage(id.String())
	}
	verbs := func() []*cobra.Command {
		return []*cobra.Command{
			newRunCommand(), newCreateCommand(), newPsCommand(), newStartCommand(), newStopCommand(),
			newKillCommand(), newRmCommand(), newLogsCommand(), newExecCommand(),
			newInspectCommand(), newCpCommand(),
		}
	}
	group := &cobra.Command{Use: "container", Short: "Manage containers"}
	group.AddCommand(verbs()...)
	group.AddCommand(withName(newPsCommand(), "ls", "list"))
	group.AddCommand(newMoreContainerCommands()...)
	group.AddCommand(newContainerPruneCommand())
	return append(append(append(verbs(), newMoreContainerCommands()...), group), newMonitorCommands()...)
}

// containerRunE makes a verb other than run exit 1, as docker's do,
// unless its error carries a status of its own.
func containerRunE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return exitstatus.Always(1, fn)
}

// engineConfig is ward's config file: JSON at $WARD_CONFIG, default
// /etc/ward/config.json; a missing file is an empty config.
type engineConfig struct {
	// Runtime is the runtime binary used when `ward run` has no --runtime.
	Runtime string `json:"runtime"`
	// Policy and FailOnVuln are `ward run --policy` and `--fail-on-vuln`
	// when the command line does not say.
	Policy     string `json:"policy"`
	FailOnVuln string `json:"fail-on-vuln"`
	// DefaultNetwork is the network of `ward run` without --network
	// (default "bridge"; $WARD_DEFAULT_NETWORK wins).
	DefaultNetwork string `json:"default-network"`
	// Userns is `ward run --userns` when the command line does not say:
	// "auto" gives every container a user namespace of its own.
	Userns string `json:"userns"`
	// TrustPolicy is a trust policy file in containers-policy.json's
	// schema, which ward pull and ward run enforce (trust.go).
	TrustPolicy string `json:"trust-policy"`
}

func readEngineConfig() (engineConfig, error) {
	var cfg engineConfig
	path := os.Getenv("WARD_CONFIG")
	if path == "" {
		path = "/etc/ward/config.json"
	}
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// findRuntime resolves the runtime binary: the flag's value, else the
// config file's, else ward-runtime beside ward's own binary, else
// ward-runtime on PATH.
func findRuntime(flag string) (string, error) {
	if flag == "" {
		cfg, err := readEngineConfig()
		if err != nil {
			return "", err
		}
		flag = cfg.Runtime
	}
	if flag != "" {
		p, err := exec.LookPath(flag)
		if err != nil {
			return "", fmt.Errorf("--runtime %s: %w", flag, err)
		}
		return filepath.Abs(p)
	}
	p, err := sibling.Find("ward-runtime")
	if err != nil {
		return "", fmt.Errorf("no runtime: %w (use --runtime)", err)
	}
	return p, nil
}

// openEngine opens ward's stores with the given runtime binary.
func openEngine(runtimePath string) (*engine.Engine, error) {
	images, err := openImageStore()
	if err != nil {
		return nil, err
	}
	snaps, err := openSnapshotter(images)
	if err != nil {
		return nil, err
	}
	records, err := record.OpenRecords(cli.Layout().Containers())
	if err != nil {
		return nil, err
	}
	e := &engine.Engine{
		Root: wardRoot(), Images: images, Snapshots: snaps, Records: records, RuntimePath: runtimePath,
		Warn: func(msg string) { fmt.Fprintln(os.Stderr, "ward: warning: "+msg) },
	}
	// The runtime's log of each container lives in the container's own
	// directory, so that removing the container removes it too.
	e.Runtime = &ociruntime.Runtime{Path: runtimePath, Root: e.RuntimeRoot(), Log: records.Dir("")}
	return e, nil
}

// openContainer finds a container and opens the engine with the runtime
// it was created with.
func openContainer(what string) (*engine.Engine, *record.Container, error) {
	records, err := record.OpenRecords(cli.Layout().Containers())
	if err != nil {
		return nil, nil, err
	}
	c, err := records.Find(what)
	if err != nil {
		return nil, nil, err
	}
	e, err := engineFor(c)
	if err != nil {
		return nil, nil, err
	}
	// What a dead supervisor left is cleaned up before anyone acts on it.
	id := c.ID
	if c, err = e.Refresh(c); err != nil {
		return nil, nil, err
	}
	if c == nil {
		return nil, nil, fmt.Errorf("%w: %s (removed: it was run with --rm and has exited)", record.ErrNotFound, id)
	}
	return e, c, nil
}

// engineFor opens the engine with the runtime c was created with.
func engineFor(c *record.Container) (*engine.Engine, error) {
	rt := c.HostConfig.Runtime
	if _, err := os.Stat(rt); rt == "" || err != nil {
		if rt, err = findRuntime(""); err != nil {
			return nil, err
		}
	}
	return openEngine(rt)
}

// truthful returns c as it really is (see engine.Refresh), opening the
// engine only for a record that may be stale; nil when it was removed.
func truthful(records *record.Records, c *record.Container) (*record.Container, error) {
	if light := (&engine.Engine{Root: wardRoot(), Records: records}); !light.Stale(c) {
		return c, nil
	}
	e, err := engineFor(c)
	if err != nil {
		return c, err
	}
	return e.Refresh(c)
}
