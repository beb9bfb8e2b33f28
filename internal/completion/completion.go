// Package completion gives ward's verbs shell completion of the objects
// they take: container names (IDs when no name matches), image
// references, network and volume names. Cobra's `completion` command
// writes the bash, zsh, fish and powershell scripts; those scripts call
// `ward __complete ...`, which runs the functions installed here.
package completion

import (
	"sort"
	"strings"

	"github.com/spf13/cobra"
)

// Kind is what one positional argument names.
type Kind int

const (
	None Kind = iota // nothing to offer (and no file names)
	Container
	Image
	Network
	Volume
)

// Sources list the objects ward has. A source that fails offers nothing:
// completion must never print an error into the user's command line.
type Sources struct {
	// Containers are (ID, name without leading slash) pairs.
	Containers func() (ids, names []string, err error)
	Images     func() ([]string, error)
	Networks   func() ([]string, error)
	Volumes    func() ([]string, error)
	// Prepare runs before a source is read, with the command completed:
	// cobra parses the flags for a completion but runs no PreRun, so a
	// global flag such as --root must be applied here.
	Prepare func(cmd *cobra.Command)
}

// Args says what a verb's positional arguments are: Kinds[i] for the
// i-th, and the last one again for every further argument when Repeat.
type Args struct {
	Kinds  []Kind
	Repeat bool
}

// Of is shorthand: Of(Container) is a list of containers, as stop and rm
// take; Once(Image) is one image and nothing after it.
func Of(k Kind) Args { return Args{Kinds: []Kind{k}, Repeat: true} }

// Once is one argument of the kind, then whatever the verb takes
// (a command line, a path: files are offered again).
func Once(k ...Kind) Args { return Args{Kinds: k} }

// Install sets ValidArgsFunction on every command of root whose path
// (without the root's name: "stop", "network rm") is in verbs, unless the
// command has its own already.
func Install(root *cobra.Command, verbs map[string]Args, src Sources) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		path := strings.TrimSpace(strings.TrimPrefix(c.CommandPath(), root.Name()))
		if a, ok := verbs[path]; ok && c.ValidArgsFunction == nil {
			c.ValidArgsFunction = src.Func(a)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// Func is the completion function for a verb's arguments.
func (s Sources) Func(a Args) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if s.Prepare != nil {
			s.Prepare(cmd)
		}
		i := len(args)
		var k Kind
		switch {
		case i < len(a.Kinds):
			k = a.Kinds[i]
		case a.Repeat && len(a.Kinds) > 0:
			k = a.Kinds[len(a.Kinds)-1]
		default:
			// Past the objects: a command line or a path follows.
			return nil, cobra.ShellCompDirectiveDefault
		}
		return s.Complete(k, toComplete, args), cobra.ShellCompDirectiveNoFileComp
	}
}

// Complete lists the objects of kind k starting with prefix, leaving out
// those already given.
func (s Sources) Complete(k Kind, prefix string, given []string) []string {
	var all []string
	switch k {
	case Container:
		if s.Containers == nil {
			return nil
		}
		ids, names, err := s.Containers()
		if err != nil {
			return nil
		}
		all = names
		if len(match(names, prefix, given)) == 0 {
			all = nil
			for _, id := range ids {
				if len(id) > 12 {
					id = id[:12]
				}
				all = append(all, id)
			}
		}
	case Image:
		all = call(s.Images)
	case Network:
		all = call(s.Networks)
	case Volume:
		all = call(s.Volumes)
	}
	return match(all, prefix, given)
}

func call(f func() ([]string, error)) []string {
	if f == nil {
		return nil
	}
	out, err := f()
	if err != nil {
		return nil
	}
	return out
}

func match(all []string, prefix string, given []string) []string {
	seen := map[string]bool{}
	for _, g := range given {
		seen[g] = true
	}
	var out []string
	for _, x := range all {
		if x != "" && strings.HasPrefix(x, prefix) && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}
