package engine

import (
	"fmt"
	"strings"

	"github.com/wardproject/ward/internal/jsonlog"
	"github.com/wardproject/ward/internal/record"
)

// ParseLogConfig reads --log-driver (json-file, or empty) and --log-opt
// KEY=VALUE values: max-size (Docker's units, e.g. 10m) and max-file (at
// least 1, and only with max-size, as Docker).
func ParseLogConfig(driver string, opts []string) (record.LogConfig, error) {
	if driver != "" && driver != "json-file" {
		return record.LogConfig{}, fmt.Errorf("--log-driver %q: ward writes Docker's json-file logs only", driver)
	}
	lc := record.LogConfig{Type: "json-file", Config: map[string]string{}}
	for _, o := range opts {
		k, v, ok := strings.Cut(o, "=")
		if !ok {
			return record.LogConfig{}, fmt.Errorf("--log-opt %q: want KEY=VALUE", o)
		}
		switch k {
		case "max-size", "max-file":
		default:
			return record.LogConfig{}, fmt.Errorf("--log-opt %q: unknown option %q for json-file (ward knows max-size and max-file)", o, k)
		}
		lc.Config[k] = v
	}
	if _, _, err := lc.Rotation(); err != nil {
		return record.LogConfig{}, err
	}
	return lc, nil
}

// ContainerLog is a container's log open for a foreground run: the
// writers of its two streams.
type ContainerLog struct {
	w        *jsonlog.Writer
	Out, Err *jsonlog.Stream
}

// OpenLog opens a container's json-file log with its rotation.
func OpenLog(c *record.Container) (*ContainerLog, error) {
	maxSize, maxFiles, err := c.HostConfig.LogConfig.Rotation()
	if err != nil {
		return nil, err
	}
	w, err := jsonlog.Open(c.LogPath, maxSize, maxFiles)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", c.ID, err)
	}
	return &ContainerLog{w: w, Out: w.Stream("stdout"), Err: w.Stream("stderr")}, nil
}

// Close writes what is left of a line in either stream and closes the log.
func (l *ContainerLog) Close() error {
	l.Out.Flush()
	l.Err.Flush()
	return l.w.Close()
}
