package workload

import (
	"bytes"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlDoc is one document of a YAML stream, with the line it starts at, so
// the typed decoder (which knows no lines) and the node tree (which does)
// can read the same bytes.
type yamlDoc struct {
	Data []byte
	Line int // 1-based line of the document's first line in the file
}

// splitYAML cuts a multi-document stream at "---" lines, the way kubectl does.
// Documents holding only comments or blanks are dropped.
func splitYAML(data []byte) []yamlDoc {
	var docs []yamlDoc
	start, startLine, line := 0, 1, 1
	flush := func(end int) {
		chunk := data[start:end]
		if hasYAMLContent(chunk) {
			docs = append(docs, yamlDoc{Data: chunk, Line: startLine})
		}
	}
	for i := 0; i < len(data); {
		end := bytes.IndexByte(data[i:], '\n')
		next := len(data)
		if end >= 0 {
			next = i + end + 1
		}
		text := strings.TrimRight(string(data[i:next]), "\r\n")
		if text == "---" || strings.HasPrefix(text, "--- ") || strings.HasPrefix(text, "---\t") {
			flush(i)
			start, startLine = next, line+1
		}
		i = next
		line++
	}
	flush(len(data))
	return docs
}

func hasYAMLContent(b []byte) bool {
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") && l != "..." {
			return true
		}
	}
	return false
}

// parseNode parses one document into a node tree whose lines are those of
// the file (offset by the document's start).
func parseNode(d yamlDoc) (*yaml.Node, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(d.Data, &n); err != nil {
		return nil, err
	}
	shiftLines(&n, d.Line-1)
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return n.Content[0], nil
	}
	return &n, nil
}

func shiftLines(n *yaml.Node, by int) {
	n.Line += by
	for _, c := range n.Content {
		shiftLines(c, by)
	}
}

// lineAt walks path (string keys into mappings, int indexes into sequences)
// and returns the line of the deepest element found: the key's line for a
// mapping entry. A finding about an absent field so points at its parent.
func lineAt(n *yaml.Node, path ...any) int {
	if n == nil {
		return 0
	}
	line := n.Line
	cur := n
	for _, p := range path {
		if cur.Kind == yaml.AliasNode && cur.Alias != nil {
			cur = cur.Alias
		}
		switch p := p.(type) {
		case string:
			if cur.Kind != yaml.MappingNode {
				return line
			}
			found := false
			for i := 0; i+1 < len(cur.Content); i += 2 {
				if cur.Content[i].Value == p {
					line = cur.Content[i].Line
					cur = cur.Content[i+1]
					found = true
					break
				}
			}
			if !found {
				return line
			}
		case int:
			if cur.Kind != yaml.SequenceNode || p < 0 || p >= len(cur.Content) {
				return line
			}
			cur = cur.Content[p]
			line = cur.Line
		}
	}
	return line
}

// hasPath reports whether path exists in n.
func hasPath(n *yaml.Node, path ...any) bool {
	cur := n
	for _, p := range path {
		if cur == nil {
			return false
		}
		switch p := p.(type) {
		case string:
			if cur.Kind != yaml.MappingNode {
				return false
			}
			var next *yaml.Node
			for i := 0; i+1 < len(cur.Content); i += 2 {
				if cur.Content[i].Value == p {
					next = cur.Content[i+1]
				}
			}
			cur = next
		case int:
			if cur.Kind != yaml.SequenceNode || p >= len(cur.Content) {
				return false
			}
			cur = cur.Content[p]
		}
	}
	return cur != nil
}

type yamlNode = yaml.Node

// entryLine finds the line of name in a mapping (name: value) or a sequence
// of "name=value" strings, the two spellings compose allows for environment.
func entryLine(n *yaml.Node, name string, path ...any) int {
	line := lineAt(n, path...)
	if !hasPath(n, path...) {
		return line
	}
	cur := n
	for _, p := range path {
		for i := 0; cur.Kind == yaml.MappingNode && i+1 < len(cur.Content); i += 2 {
			if cur.Content[i].Value == p {
				cur = cur.Content[i+1]
				break
			}
		}
	}
	switch cur.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(cur.Content); i += 2 {
			if cur.Content[i].Value == name {
				return cur.Content[i].Line
			}
		}
	case yaml.SequenceNode:
		for _, c := range cur.Content {
			if c.Value == name || strings.HasPrefix(c.Value, name+"=") {
				return c.Line
			}
		}
	}
	return line
}
