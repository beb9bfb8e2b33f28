package completion

import (
	"slices"

	"github.com/spf13/cobra"
)

// Verbs says what each of ward's verbs takes as arguments; container and
// image verbs are listed once and apply both at the top and under their
// group, as docker has them.
func Verbs() map[string]Args {
	m := map[string]Args{
		"network rm":         Of(Network),
		"network inspect":    Of(Network),
		"network connect":    Once(Network, Container),
		"network disconnect": Once(Network, Container),
		"volume rm":          Of(Volume),
		"volume inspect":     Of(Volume),
		"inspect":            Of(Container),
		"rmi":                Of(Image),
		"images":             Once(Image),
	}
	containers := map[string]Args{
		"start": Of(Container), "stop": Of(Container),
		"restart": Of(Container), "kill": Of(Container),
		"rm": Of(Container), "pause": Of(Container),
		"unpause": Of(Container), "wait": Of(Container),
		"stats": Of(Container), "inspect": Of(Container),
		"logs": Once(Container), "exec": Once(Container),
		"port": Once(Container), "rename": Once(Container),
		"export": Once(Container), "diff": Once(Container),
		"commit": Once(Container), "top": Once(Container),
		"run": Once(Image), "create": Once(Image),
	}
	images := map[string]Args{
		"push": Once(Image), "tag": Once(Image),
		"save": Of(Image), "inspect": Of(Image),
		"rm": Of(Image), "ls": Once(Image),
	}
	for verb, a := range containers {
		if _, ok := m[verb]; !ok {
			m[verb] = a
		}
		m["container "+verb] = a
	}
	for verb, a := range images {
		// image inspect, rm and ls are spelled inspect, rmi and images at the top.
		if verb != "inspect" && verb != "rm" && verb != "ls" {
			m[verb] = a
		}
		m["image "+verb] = a
	}
	return m
}

// InstallFlag completes the value of flag with objects of kind k on the
// verbs named (at the top, and under a group such as `container`) that
// have the flag: run's and create's --network.
func InstallFlag(root *cobra.Command, flag string, k Kind, src Sources, verbs ...string) {
	for _, c := range root.Commands() {
		for _, cc := range append([]*cobra.Command{c}, c.Commands()...) {
			if slices.Contains(verbs, cc.Name()) && cc.Flags().Lookup(flag) != nil {
				_ = cc.RegisterFlagCompletionFunc(flag, func(cmd *cobra.Command, _ []string, p string) ([]cobra.Completion, cobra.ShellCompDirective) {
					if src.Prepare != nil {
						src.Prepare(cmd)
					}
					return src.Complete(k, p, nil), cobra.ShellCompDirectiveNoFileComp
				})
			}
		}
	}
}
