package record

import (
	"fmt"
	"strconv"

	units "github.com/docker/go-units"
)

// LogConfig is --log-driver and --log-opt, as Docker's inspect shows
// HostConfig.LogConfig. ward keeps Docker's json-file format only.
type LogConfig struct {
	Type   string
	Config map[string]string
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
