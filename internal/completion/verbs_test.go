package completion

import (
	"testing"

	"github.com/spf13/cobra"
)

// A container verb completes at the top and under `container`; image
// inspect and rm keep their top-level meaning (containers, rmi's images).
func TestVerbs(t *testing.T) {
	v := Verbs()
	for path, want := range map[string]Kind{
		"stop": Container, "container stop": Container,
		"inspect": Container, "image inspect": Image, "container inspect": Container,
		"rm": Container, "image rm": Image, "rmi": Image,
		"push": Image, "image push": Image, "network connect": Network, "volume rm": Volume,
		"run": Image, "container run": Image,
	} {
		a, ok := v[path]
		if !ok || len(a.Kinds) == 0 || a.Kinds[0] != want {
			t.Errorf("%s: %+v, want %v first", path, a, want)
		}
	}
	if _, ok := v["ls"]; ok {
		t.Error("image ls leaked to the top as ls")
	}
}

// --network completes on run at the top and under container, and on no
// command without the flag.
func TestInstallFlag(t *testing.T) {
	root := &cobra.Command{Use: "ward"}
	noop := func(*cobra.Command, []string) {}
	run := &cobra.Command{Use: "run", Run: noop}
	run.Flags().String("network", "", "")
	group := &cobra.Command{Use: "container"}
	nested := &cobra.Command{Use: "run", Run: noop}
	nested.Flags().String("network", "", "")
	group.AddCommand(nested)
	root.AddCommand(run, group, &cobra.Command{Use: "create", Run: noop})
	src := Sources{Networks: func() ([]string, error) { return []string{"bridge", "backend"}, nil }}
	InstallFlag(root, "network", Network, src, "run", "create")
	got := complete(t, root, "run", "--network", "b")
	if len(got) < 3 || got[0] != "backend" || got[1] != "bridge" {
		t.Errorf("run --network b: %q", got)
	}
	got = complete(t, root, "container", "run", "--network", "ba")
	if len(got) < 2 || got[0] != "backend" {
		t.Errorf("container run --network ba: %q", got)
	}
}
