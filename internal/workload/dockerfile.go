package workload

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// ReadDockerfile reads a Dockerfile or Containerfile. It yields one workload:
// the final stage, with what it inherits through FROM <earlier stage>. Build
// stages that are only copied from decide nothing about how the image runs.
func ReadDockerfile(file string, data []byte) ([]Workload, error) {
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("parse dockerfile %s: %w", file, err)
	}
	// A linter that reports nothing: buildkit's checks are not ours, but a
	// nil linter would panic on a "# check=" directive.
	lint := linter.New(&linter.Config{SkipAll: true})
	stages, metaArgs, err := instructions.Parse(res.AST, lint)
	if err != nil {
		return nil, fmt.Errorf("parse dockerfile %s: %w", file, err)
	}
	if len(stages) == 0 {
		return nil, fmt.Errorf("dockerfile %s: no FROM instruction", file)
	}

	vars := map[string]string{}
	var buildArgs []EnvVar
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			if kv.Value != nil {
				vars[kv.Key] = *kv.Value
				buildArgs = append(buildArgs, EnvVar{Name: kv.Key, Value: *kv.Value, Line: startLine(a.Location()), Build: true})
			}
		}
	}

	b := &Build{}
	byName := map[string]int{}
	parent := make([]int, len(stages)) // index of the stage a stage derives from, or -1
	for i, s := range stages {
		base := expand(s.BaseName, vars)
		parent[i] = -1
		if p, ok := byName[strings.ToLower(base)]; ok {
			parent[i] = p
		} else if !strings.EqualFold(base, "scratch") {
			b.Bases = append(b.Bases, Base{Image: base, Line: startLine(s.Location), Stage: stageName(s, i)})
		}
		if s.Name != "" {
			byName[strings.ToLower(s.Name)] = i
		}
		// ARG defaults anywhere are part of the Dockerfile text, and of
		// the image history when the stage reaches the final image.
		for _, c := range s.Commands {
			if a, ok := c.(*instructions.ArgCommand); ok {
				for _, kv := range a.Args {
					if kv.Value != nil {
						buildArgs = append(buildArgs, EnvVar{Name: kv.Key, Value: *kv.Value, Line: startLine(a.Location()), Build: true})
					}
				}
			}
		}
	}

	final := len(stages) - 1
	var chain []int // root ancestor first, final stage last
	for i := final; i >= 0; i = parent[i] {
		chain = append([]int{i}, chain...)
	}
	root := stages[chain[0]]
	rootBase := expand(root.BaseName, vars)
	if !strings.EqualFold(rootBase, "scratch") {
		b.FinalBase = rootBase
		b.FinalBaseLine = startLine(root.Location)
	}

	fs := stages[final]
	w := Workload{
		Kind:     KindDockerfile,
		File:     file,
		Line:     startLine(fs.Location),
		Resource: "stage " + stageName(fs, final),
		User:     User{BaseDecides: true},
		Seccomp:  SeccompDefault,
		Build:    b,
		Env:      buildArgs,
	}
	w.setLine(FieldImage, b.FinalBaseLine)
	env := map[string]string{}
	for k, v := range vars {
		env[k] = v
	}
	for _, si := range chain {
		s := stages[si]
		for _, c := range s.Commands {
			line := startLine(c.Location())
			b.Instructions = append(b.Instructions, Instruction{Command: strings.ToLower(c.Name()), Args: instructionArgs(c), Line: line})
			switch c := c.(type) {
			case *instructions.ArgCommand:
				for _, kv := range c.Args {
					if kv.Value != nil {
						env[kv.Key] = *kv.Value
					}
				}
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					env[kv.Key] = kv.Value
					w.Env = append(w.Env, EnvVar{Name: kv.Key, Value: kv.Value, Line: line})
				}
			case *instructions.UserCommand:
				w.User = User{Name: expand(c.User, env)}
				w.setLine(FieldUser, line)
			case *instructions.HealthCheckCommand:
				w.Healthcheck = c.Health != nil && !(len(c.Health.Test) > 0 && strings.EqualFold(c.Health.Test[0], "NONE"))
				w.setLine(FieldHealthcheck, line)
			}
		}
	}
	if w.User.BaseDecides && strings.Contains(strings.ToLower(imageTag(b.FinalBase)), "nonroot") {
		// distroless ":nonroot" and similar bases set a non-root USER.
		w.User.Name = "nonroot"
	}
	w.Capabilities, _, _ = EffectiveCapabilities(nil, nil)
	return []Workload{w}, nil
}

func stageName(s instructions.Stage, i int) string {
	if s.Name != "" {
		return s.Name
	}
	return strconv.Itoa(i)
}

func startLine(r []parser.Range) int {
	if len(r) == 0 {
		return 0
	}
	return r[0].Start.Line
}

// instructionArgs is the instruction's source text without the command word.
func instructionArgs(c instructions.Command) string {
	s, ok := c.(fmt.Stringer)
	if !ok {
		return ""
	}
	text := s.String()
	if _, rest, ok := strings.Cut(text, " "); ok {
		return strings.TrimSpace(rest)
	}
	return ""
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// expand substitutes $VAR and ${VAR} from vars, the way a FROM or USER line
// sees ARG and ENV defaults. ${VAR:-default} falls back to its default.
func expand(s string, vars map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	return varRef.ReplaceAllStringFunc(s, func(m string) string {
		sub := varRef.FindStringSubmatch(m)
		name := sub[1] + sub[2]
		if v, ok := vars[name]; ok && v != "" {
			return v
		}
		if i := strings.Index(m, ":-"); i >= 0 {
			return strings.TrimSuffix(m[i+2:], "}")
		}
		return m
	})
}
