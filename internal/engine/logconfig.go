package engine

import (
	"fmt"
	"strconv"
	"strings"

	units "github.com/docker/go-units"

	"github.com/wardproject/ward/internal/jsonlog"
)

// LogConfig is --log-driver and --log-opt, as Docker's inspect shows
// HostConfig.LogConfig. ward keeps Docker's json-file format only.
type LogConfig struct {
	Type   string
	Config map[string]string
}

// ParseLogConfig reads --log-driver (json-file, or empty) and --log-opt
// KEY=VALUE values: max-size (Docker's units, e.g. 10m) and max-file (at
// least 1, and only with max-size, as Docker).
func ParseLogConfig(driver string, opts []string) (LogConfig, error) {
	if driver != "" && driver != "json-file" {
		return LogConfig{}, fmt.Errorf("--log-driver %q: ward writes Docker's json-file logs only", driver)
	}
	lc := LogConfig{Type: "json-file", Config: map[string]string{}}
	for _, o := range opts {
		k, v, ok := strings.Cut(o, "=")
		if !ok {
			return LogConfig{}, fmt.Errorf("--log-opt %q: want KEY=VALUE", o)
		}
		switch k {
		case "max-size", "max-file":
		default:
			return LogConfig{}, fmt.Errorf("--log-opt %q: unknown option %q for json-file (ward knows max-size and max-file)", o, k)
		}
		lc.Config[k] = v
	}
	if _, _, err := lc.Rotation(); err != nil {
		return LogConfig{}, err
	}
	return lc, nil
}

// Rotation is the log's size limit in bytes (0: none) and the number of
// files kept.
func (lc LogConfig) Rotation() (maxSize int64, maxFiles int, err error) {
	maxFiles = 1
	if v := lc.Config["max-size"]; v != "" && v != "-1" {
		if maxSize, err = units.RAMInBytes(v); err != nil || maxSize <= 0 {
			return 0, 0, fmt.Errorf("--log-opt max-size=%s: want a size such as 10m", v)
		}
	}
	if v := lc.Config["max-file"]; v != "" {
		if maxFiles, err = strconv.Atoi(v); err != nil || maxFiles < 1 {
			return 0, 0, fmt.Errorf("--log-opt max-file=%s: want a number, 1 or more", v)
		}
		if maxFiles > 1 && maxSize == 0 {
			return 0, 0, fmt.Errorf("--log-opt max-file=%s: needs max-size", v)
		}
	}
	return maxSize, maxFiles, nil
}

// ContainerLog is a container's log open for a foreground run: the
// writers of its two streams.
type ContainerLog struct {
	w        *jsonlog.Writer
	Out, Err *jsonlog.Stream
}

// OpenLog opens a container's json-file log with its rotation.
func OpenLog(c *Container) (*ContainerLog, error) {
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
