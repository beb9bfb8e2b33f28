package volume

import "strings"

// ParseLabels reads `volume create --label KEY=VALUE` (a KEY alone is
// an empty value); no labels is nil, as Docker records them.
func ParseLabels(list []string) map[string]string {
	if len(list) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, l := range list {
		k, v, _ := strings.Cut(l, "=")
		out[k] = v
	}
	return out
}
