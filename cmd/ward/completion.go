package main

import (
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/completion"
	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/network/store"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/record"
)

// completedArgs says what each verb's arguments are, for completion;
// container and image verbs are listed once and installed both at the
// top and under their group, as docker has them.
func completedArgs() map[string]completion.Args {
	m := map[string]completion.Args{
		"network rm":         completion.Of(completion.Network),
		"network inspect":    completion.Of(completion.Network),
		"network connect":    completion.Once(completion.Network, completion.Container),
		"network disconnect": completion.Once(completion.Network, completion.Container),
		"volume rm":          completion.Of(completion.Volume),
		"volume inspect":     completion.Of(completion.Volume),
		"inspect":            completion.Of(completion.Container),
		"rmi":                completion.Of(completion.Image),
		"images":             completion.Once(completion.Image),
	}
	containers := map[string]completion.Args{
		"start": completion.Of(completion.Container), "stop": completion.Of(completion.Container),
		"restart": completion.Of(completion.Container), "kill": completion.Of(completion.Container),
		"rm": completion.Of(completion.Container), "pause": completion.Of(completion.Container),
		"unpause": completion.Of(completion.Container), "wait": completion.Of(completion.Container),
		"stats": completion.Of(completion.Container), "inspect": completion.Of(completion.Container),
		"logs": completion.Once(completion.Container), "exec": completion.Once(completion.Container),
		"port": completion.Once(completion.Container), "rename": completion.Once(completion.Container),
		"export": completion.Once(completion.Container), "diff": completion.Once(completion.Container),
		"commit": completion.Once(completion.Container), "top": completion.Once(completion.Container),
		"run": completion.Once(completion.Image), "create": completion.Once(completion.Image),
	}
	images := map[string]completion.Args{
		"push": completion.Once(completion.Image), "tag": completion.Once(completion.Image),
		"save": completion.Of(completion.Image), "inspect": completion.Of(completion.Image),
		"rm": completion.Of(completion.Image), "ls": completion.Once(completion.Image),
	}
	for verb, a := range containers {
		if _, ok := m[verb]; !ok {
			m[verb] = a
		}
		m["container "+verb] = a
	}
	for verb, a := range images {
		if verb != "inspect" && verb != "rm" && verb != "ls" {
			m[verb] = a
		}
		m["image "+verb] = a
	}
	return m
}

// completionSources read ward's stores under --root (cobra parses the
// persistent flags before calling a completion function).
func completionSources() completion.Sources {
	return completion.Sources{
		Prepare: func(cmd *cobra.Command) {
			if f := cmd.Flag("root"); f != nil && f.Changed {
				os.Setenv("WARD_ROOT", f.Value.String())
			}
		},
		Containers: func() ([]string, []string, error) {
			records, err := record.OpenRecords(wardRoot() + "/containers")
			if err != nil {
				return nil, nil, err
			}
			list, err := records.List()
			if err != nil {
				return nil, nil, err
			}
			var ids, names []string
			for _, c := range list {
				ids = append(ids, c.ID)
				names = append(names, strings.TrimPrefix(c.Name, "/"))
			}
			return ids, names, nil
		},
		Images: func() ([]string, error) {
			s, err := open.Images(cli.Layout())
			if err != nil {
				return nil, err
			}
			list, err := s.List()
			if err != nil {
				return nil, err
			}
			var out []string
			for _, img := range list {
				for _, t := range img.RepoTags {
					out = append(out, image.Familiar(t))
				}
			}
			return out, nil
		},
		Networks: func() ([]string, error) {
			st, err := engine.OpenNetworkStore(wardRoot())
			if err != nil {
				return nil, err
			}
			out := []string{"bridge", "host", "none"}
			err = st.View(func(tx *store.Tx) error {
				nets, err := tx.Networks()
				for _, n := range nets {
					if n.Name != "bridge" {
						out = append(out, n.Name)
					}
				}
				return err
			})
			return out, err
		},
		Volumes: func() ([]string, error) {
			s, err := open.Volumes(cli.Layout())
			if err != nil {
				return nil, err
			}
			list, err := s.List()
			if err != nil {
				return nil, err
			}
			var out []string
			for _, v := range list {
				out = append(out, v.Name)
			}
			return out, nil
		},
	}
}

// installCompletion wires completion into root; cobra adds the
// `completion bash|zsh|fish|powershell` command itself.
func installCompletion(root *cobra.Command) {
	src := completionSources()
	completion.Install(root, completedArgs(), src)
	// --network NAME on run and create.
	for _, c := range root.Commands() {
		if c.Name() != "run" && c.Name() != "create" && c.Name() != "container" {
			continue
		}
		for _, cc := range append([]*cobra.Command{c}, c.Commands()...) {
			if (cc.Name() == "run" || cc.Name() == "create") && cc.Flags().Lookup("network") != nil {
				_ = cc.RegisterFlagCompletionFunc("network", func(cmd *cobra.Command, _ []string, p string) ([]cobra.Completion, cobra.ShellCompDirective) {
					src.Prepare(cmd)
					return src.Complete(completion.Network, p, nil), cobra.ShellCompDirectiveNoFileComp
				})
			}
		}
	}
}
