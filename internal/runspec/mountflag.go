package runspec

import (
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"

	units "github.com/docker/go-units"
)

// ParseMount parses a --mount value as Docker's CLI does: comma-separated
// key=value pairs with type bind or tmpfs (volumes are not supported),
// source/src, target/destination/dst, readonly/ro[=BOOL],
// bind-propagation, tmpfs-size and tmpfs-mode (octal). A bind's source
// must exist, as Docker's daemon requires for --mount.
func ParseMount(v string) (Mount, error) {
	typ := "volume"
	var src, dst, prop, size, mode string
	readonly := false
	for _, field := range strings.Split(v, ",") {
		key, val, hasVal := strings.Cut(field, "=")
		switch strings.ToLower(key) {
		case "type":
			typ = strings.ToLower(val)
		case "source", "src":
			src = val
		case "target", "destination", "dst":
			dst = val
		case "readonly", "ro":
			readonly = true
			if hasVal {
				b, err := strconv.ParseBool(val)
				if err != nil {
					return Mount{}, fmt.Errorf("--mount %q: invalid value %q for %s", v, val, key)
				}
				readonly = b
			}
		case "bind-propagation":
			prop = val
		case "tmpfs-size":
			size = val
		case "tmpfs-mode":
			mode = val
		case "consistency":
			// macOS only; Docker ignores it on Linux.
		default:
			return Mount{}, fmt.Errorf("--mount %q: unsupported key %q", v, key)
		}
	}
	if dst == "" {
		return Mount{}, fmt.Errorf("--mount %q: target is required", v)
	}
	if !path.IsAbs(dst) || path.Clean(dst) == "/" {
		return Mount{}, fmt.Errorf("--mount %q: the target must be an absolute path other than /", v)
	}
	dst = path.Clean(dst)
	switch typ {
	case "bind":
		if size != "" || mode != "" {
			return Mount{}, fmt.Errorf("--mount %q: tmpfs options on a bind mount", v)
		}
		if !path.IsAbs(src) {
			return Mount{}, fmt.Errorf("--mount %q: a bind source must be an absolute host path", v)
		}
		if _, err := os.Stat(src); err != nil {
			return Mount{}, fmt.Errorf("--mount %q: bind source path does not exist: %s", v, src)
		}
		m := Mount{Source: path.Clean(src), Destination: dst, Writable: !readonly, Propagation: "rprivate"}
		switch prop {
		case "":
		case "private", "rprivate", "shared", "rshared", "slave", "rslave":
			m.Propagation = prop
		default:
			return Mount{}, fmt.Errorf("--mount %q: invalid bind-propagation %q", v, prop)
		}
		return m, nil
	case "tmpfs":
		if src != "" {
			return Mount{}, fmt.Errorf("--mount %q: a tmpfs takes no source", v)
		}
		if prop != "" {
			return Mount{}, fmt.Errorf("--mount %q: bind-propagation on a tmpfs", v)
		}
		// Docker's ConvertTmpfsOptions: ro, mode in octal, size with the
		// largest unit that divides it.
		var data []string
		if readonly {
			data = append(data, "ro")
		}
		if mode != "" {
			n, err := strconv.ParseUint(mode, 8, 32)
			if err != nil {
				return Mount{}, fmt.Errorf("--mount %q: invalid tmpfs-mode %q (want octal)", v, mode)
			}
			if n != 0 {
				data = append(data, fmt.Sprintf("mode=%o", n))
			}
		}
		if size != "" {
			n, err := units.RAMInBytes(size)
			if err != nil || n < 0 {
				return Mount{}, fmt.Errorf("--mount %q: invalid tmpfs-size %q", v, size)
			}
			if n != 0 {
				data = append(data, "size="+sizeWithUnit(n))
			}
		}
		return Mount{Source: "tmpfs", Destination: dst, Tmpfs: true, Data: strings.Join(data, ","), Writable: !readonly}, nil
	case "volume":
		return Mount{}, fmt.Errorf("--mount %q: volumes are not supported; use type=bind or type=tmpfs", v)
	default:
		return Mount{}, fmt.Errorf("--mount %q: unknown type %q", v, typ)
	}
}

func sizeWithUnit(n int64) string {
	for _, u := range []struct {
		suffix  string
		divisor int64
	}{{"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}} {
		if n%u.divisor == 0 {
			return strconv.FormatInt(n/u.divisor, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}
