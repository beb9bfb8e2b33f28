package observe

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// PrepareCgroup creates the cgroup v2 directory a runtime will put a
// container in (cgroupsPath as config.json spells it, under the host's
// cgroup2 mount) before the container exists, so that its ID is known
// and observed from the container's first instruction. Runtimes join an
// existing directory. remove deletes what was made, deepest first.
func PrepareCgroup(cgroupsPath string) (dir string, id uint64, remove func(), err error) {
	mount, err := cgroup2Mount()
	if err != nil {
		return "", 0, nil, err
	}
	dir = filepath.Join(mount, filepath.Clean("/"+cgroupsPath))
	var made []string
	for d := dir; d != mount; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		}
		made = append(made, d)
	}
	remove = func() {
		for _, d := range made {
			os.Remove(d)
		}
	}
	for i := len(made) - 1; i >= 0; i-- {
		if err := os.Mkdir(made[i], 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			remove()
			return "", 0, nil, fmt.Errorf("create cgroup %s: %w", made[i], err)
		}
	}
	if id, err = CgroupID(dir); err != nil {
		remove()
		return "", 0, nil, err
	}
	return dir, id, remove, nil
}

// cgroup2Mount is where the host mounts cgroup v2 (/sys/fs/cgroup on a
// unified host, /sys/fs/cgroup/unified on a hybrid one).
func cgroup2Mount() (string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", fmt.Errorf("find cgroup2 mount: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		fields, postFields := strings.Fields(pre), strings.Fields(post)
		if ok && len(fields) >= 5 && len(postFields) > 0 && postFields[0] == "cgroup2" {
			return fields[4], nil
		}
	}
	return "", errors.New("learning needs cgroup v2 to tell the container's tasks apart: no cgroup2 hierarchy is mounted")
}
