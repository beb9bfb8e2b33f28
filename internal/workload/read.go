package workload

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// readers lists every input kind ward check understands.
var readers = map[Kind]func(file string, data []byte) ([]Workload, error){
	KindDockerfile: ReadDockerfile,
	KindCompose:    ReadCompose,
	KindKubernetes: ReadKubernetes,
	KindOCI:        ReadOCIConfig,
	KindInspect:    ReadInspect,
}

// ErrUnknownKind is returned for a file whose kind cannot be told.
var ErrUnknownKind = errors.New("not a Dockerfile, compose file, Kubernetes manifest, OCI config.json, inspect output or image archive")

var (
	composeName  = regexp.MustCompile(`^(docker-)?compose([.-][^/]*)?\.ya?ml$`)
	k8sAPI       = regexp.MustCompile(`(?m)^apiVersion:\s*\S`)
	k8sKind      = regexp.MustCompile(`(?m)^kind:\s*\S`)
	composeTop   = regexp.MustCompile(`(?m)^services:\s*(#.*)?$`)
	dockerFirst  = regexp.MustCompile(`(?i)^(FROM|ARG)\s`)
	dockerFROM   = regexp.MustCompile(`(?im)^\s*FROM\s+\S`)
	ociVersion   = regexp.MustCompile(`"ociVersion"\s*:`)
	inspectField = regexp.MustCompile(`"HostConfig"\s*:`)
)

// Detect tells the kind of a file, by its name when the name says, else by
// its content.
func Detect(path string, data []byte) (Kind, bool) {
	base := filepath.Base(path)
	lower := strings.ToLower(base)
	switch {
	case lower == "dockerfile" || lower == "containerfile",
		strings.HasPrefix(lower, "dockerfile.") || strings.HasPrefix(lower, "containerfile."),
		strings.HasSuffix(lower, ".dockerfile") || strings.HasSuffix(lower, ".containerfile"):
		return KindDockerfile, true
	case composeName.MatchString(lower) && composeTop.Match(data):
		return KindCompose, true
	}
	return detectContent(data)
}

func detectContent(data []byte) (Kind, bool) {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(trimmed) == 0 {
		return "", false
	}
	switch trimmed[0] {
	case '[':
		if inspectField.Match(trimmed) {
			return KindInspect, true
		}
		return "", false
	case '{':
		if ociVersion.Match(trimmed) {
			return KindOCI, true
		}
		return "", false
	}
	if k8sAPI.Match(data) && k8sKind.Match(data) {
		return KindKubernetes, true
	}
	if composeTop.Match(data) {
		return KindCompose, true
	}
	if first := firstInstruction(data); dockerFirst.MatchString(first) && dockerFROM.Match(data) {
		return KindDockerfile, true
	}
	return "", false
}

// firstInstruction is the first line that is neither blank nor a comment.
func firstInstruction(data []byte) string {
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return ""
}

// ReadFile reads one file of any kind. It fails with ErrUnknownKind when
// the kind cannot be told.
func ReadFile(path string) ([]Workload, Kind, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", path, err)
	}
	kind, ok := Detect(path, data)
	if !ok {
		return nil, "", fmt.Errorf("%s: %w", path, ErrUnknownKind)
	}
	ws, err := readers[kind](path, data)
	return ws, kind, err
}

// readData reads a file's content already in memory.
func readData(name string, data []byte) Input {
	kind, ok := Detect(name, data)
	if !ok {
		return Input{File: name, Err: fmt.Errorf("%s: %w", name, ErrUnknownKind)}
	}
	ws, err := readers[kind](name, data)
	return Input{File: name, Kind: kind, Workloads: ws, Data: data, Err: err}
}

// Input is the outcome of reading one file.
type Input struct {
	File      string
	Kind      Kind
	Workloads []Workload
	Data      []byte // the file's content, for readers of comments (suppressions)
	Err       error
}

// ReadPath reads a file ("-" for standard input), or walks a directory and
// reads every file whose kind it recognizes (others are skipped). Errors are kept per file so one bad
// file does not hide the findings of the rest.
func ReadPath(path string) ([]Input, error) {
	if path == "-" {
		data, err := io.ReadAll(os.Stdin)
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return []Input{readData("-", data)}, nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if !st.IsDir() {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		return []Input{readData(path, data)}, nil
	}
	var out []Input
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if p != path && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !candidate(d.Name()) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			out = append(out, Input{File: p, Err: fmt.Errorf("read %s: %w", p, err)})
			return nil
		}
		kind, ok := Detect(p, data)
		if !ok || (kind != KindDockerfile && bytes.Contains(data, []byte("{{"))) {
			// Unknown files, and templates (Helm, Kustomize-free
			// Go templates) that only mean something once rendered:
			// pipe `helm template` output to `ward check -` instead.
			return nil
		}
		ws, err := readers[kind](p, data)
		out = append(out, Input{File: p, Kind: kind, Workloads: ws, Data: data, Err: err})
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("walk %s: %w", path, err)
	}
	return out, nil
}

// candidate keeps a directory walk from reading every file: only names that
// can hold one of our kinds are opened.
func candidate(name string) bool {
	lower := strings.ToLower(name)
	switch filepath.Ext(lower) {
	case ".yaml", ".yml", ".json", ".dockerfile", ".containerfile":
		return true
	}
	return strings.HasPrefix(lower, "dockerfile") || strings.HasPrefix(lower, "containerfile")
}
