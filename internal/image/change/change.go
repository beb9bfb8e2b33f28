// Package change applies `--change` Dockerfile instructions (docker
// import's and docker commit's) to an image config.
package change

import (
	"encoding/json"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Apply applies one `--change` Dockerfile instruction to a config.
// JSON arrays are exec form; anything else for CMD and ENTRYPOINT is
// shell form, run by /bin/sh -c as in a Dockerfile.
func Apply(c *v1.Config, change string) error {
	instr, arg, _ := strings.Cut(strings.TrimSpace(change), " ")
	arg = strings.TrimSpace(arg)
	command := func() ([]string, error) {
		if strings.HasPrefix(arg, "[") {
			var v []string
			if err := json.Unmarshal([]byte(arg), &v); err != nil {
				return nil, fmt.Errorf("--change %q: %w", change, err)
			}
			return v, nil
		}
		return []string{"/bin/sh", "-c", arg}, nil
	}
	keyValues := func() (map[string]string, error) {
		out := map[string]string{}
		for _, kv := range strings.Fields(arg) {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				if len(strings.Fields(arg)) == 2 { // ENV KEY VALUE
					f := strings.Fields(arg)
					return map[string]string{f[0]: f[1]}, nil
				}
				return nil, fmt.Errorf("--change %q: want KEY=VALUE", change)
			}
			out[k] = strings.Trim(v, `"`)
		}
		return out, nil
	}
	var err error
	switch strings.ToUpper(instr) {
	case "CMD":
		c.Cmd, err = command()
	case "ENTRYPOINT":
		c.Entrypoint, err = command()
	case "USER":
		c.User = arg
	case "WORKDIR":
		c.WorkingDir = arg
	case "ENV":
		kv, e := keyValues()
		if e != nil {
			return e
		}
		for k, v := range kv {
			c.Env = append(c.Env, k+"="+v)
		}
	case "LABEL":
		kv, e := keyValues()
		if e != nil {
			return e
		}
		if c.Labels == nil {
			c.Labels = map[string]string{}
		}
		for k, v := range kv {
			c.Labels[k] = v
		}
	case "EXPOSE":
		if c.ExposedPorts == nil {
			c.ExposedPorts = map[string]struct{}{}
		}
		for _, p := range strings.Fields(arg) {
			if !strings.Contains(p, "/") {
				p += "/tcp"
			}
			c.ExposedPorts[p] = struct{}{}
		}
	default:
		return fmt.Errorf("--change %q: unsupported instruction %s (CMD, ENTRYPOINT, ENV, USER, WORKDIR, EXPOSE, LABEL)", change, instr)
	}
	return err
}
