package audit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ConfigFile is the name ward check looks for in the current directory.
const ConfigFile = ".ward.yaml"

// Config is .ward.yaml:
//
//	ignore:
//	  - WD243                       # a rule, everywhere
//	  - rule: WD150
//	    path: deploy/dev/*          # only in matching files
//	    reason: dev clusters mount the source tree
//	severity:
//	  WD140: medium                 # override a rule's severity
//	trusted-registries:
//	  - registry.example.com
type Config struct {
	Ignore            []IgnoreEntry       `yaml:"ignore"`
	Severity          map[string]Severity `yaml:"severity"`
	TrustedRegistries []string            `yaml:"trusted-registries"`
}

// IgnoreEntry ignores a rule, optionally only in files matching Path.
type IgnoreEntry struct {
	Rule   string `yaml:"rule"`
	Path   string `yaml:"path"`
	Reason string `yaml:"reason"`
}

// UnmarshalYAML accepts a bare rule ID as well as the mapping form.
func (e *IgnoreEntry) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		e.Rule = n.Value
		return nil
	}
	type plain IgnoreEntry
	return n.Decode((*plain)(e))
}

// LoadConfig reads a config file. A missing file at the default name is
// not an error: it returns an empty config.
func LoadConfig(path string, required bool) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !required {
		return &Config{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", path, err)
	}
	var c Config
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && err.Error() != "EOF" {
		return nil, fmt.Errorf("parse config %s: %w", path, err)
	}
	for i, e := range c.Ignore {
		if e.Rule == "" {
			return nil, fmt.Errorf("config %s: ignore entry %d names no rule", path, i+1)
		}
	}
	return &c, nil
}

// Validate checks that every rule ID the config names exists.
func (c *Config) Validate(known func(id string) bool) error {
	for _, e := range c.Ignore {
		if !known(e.Rule) {
			return fmt.Errorf("config: ignore names unknown rule %s", e.Rule)
		}
	}
	for id := range c.Severity {
		if !known(id) {
			return fmt.Errorf("config: severity names unknown rule %s", id)
		}
	}
	return nil
}

// Apply overrides severities, then splits findings into kept and ignored.
func (c *Config) Apply(fs []Finding) (kept []Finding, suppressed []Suppressed) {
	for _, f := range fs {
		if s, ok := c.Severity[f.Rule]; ok {
			f.Severity = s
		}
		if e, ok := c.ignores(f); ok {
			reason := e.Reason
			if reason == "" {
				reason = "ignored in " + ConfigFile
			}
			suppressed = append(suppressed, Suppressed{Finding: f, By: "config", Reason: reason})
			continue
		}
		kept = append(kept, f)
	}
	return kept, suppressed
}

func (c *Config) ignores(f Finding) (IgnoreEntry, bool) {
	for _, e := range c.Ignore {
		if e.Rule == f.Rule && pathMatches(e.Path, f.File) {
			return e, true
		}
	}
	return IgnoreEntry{}, false
}

// pathMatches matches a glob against the file path, its base name, or a
// directory prefix ("deploy/" or "deploy/**" matches everything under it).
func pathMatches(pattern, file string) bool {
	if pattern == "" {
		return true
	}
	file = filepath.ToSlash(filepath.Clean(file))
	pattern = filepath.ToSlash(pattern)
	if dir, ok := strings.CutSuffix(pattern, "/**"); ok {
		pattern = dir + "/"
	}
	if strings.HasSuffix(pattern, "/") {
		return strings.HasPrefix(file+"/", strings.TrimPrefix(pattern, "./"))
	}
	if ok, _ := filepath.Match(strings.TrimPrefix(pattern, "./"), file); ok {
		return true
	}
	ok, _ := filepath.Match(pattern, filepath.Base(file))
	return ok
}
