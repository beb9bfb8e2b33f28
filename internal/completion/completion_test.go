package completion

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func fakeSources() Sources {
	return Sources{
		Containers: func() ([]string, []string, error) {
			return []string{"0123456789abcdef0123", "fedcba9876543210fedc"}, []string{"web", "worker"}, nil
		},
		Images:   func() ([]string, error) { return []string{"busybox:latest", "alpine:3.20"}, nil },
		Networks: func() ([]string, error) { return nil, errors.New("store locked") },
		Volumes:  func() ([]string, error) { return []string{"data", "db"}, nil },
	}
}

// complete runs cobra's hidden __complete verb, which the shell scripts
// call, and returns the candidates and the directive line.
func complete(t *testing.T, root *cobra.Command, args ...string) []string {
	t.Helper()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&bytes.Buffer{})
	root.SetArgs(append([]string{cobra.ShellCompRequestCmd}, args...))
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(out.String()), "\n")
}

func tree() *cobra.Command {
	root := &cobra.Command{Use: "ward"}
	noop := func(*cobra.Command, []string) {}
	root.AddCommand(&cobra.Command{Use: "stop", Run: noop}, &cobra.Command{Use: "run", Run: noop})
	vol := &cobra.Command{Use: "volume"}
	vol.AddCommand(&cobra.Command{Use: "rm", Run: noop})
	net := &cobra.Command{Use: "network"}
	net.AddCommand(&cobra.Command{Use: "rm", Run: noop})
	root.AddCommand(vol, net)
	Install(root, map[string]Args{
		"stop": Of(Container), "run": Once(Image), "volume rm": Of(Volume), "network rm": Of(Network),
	}, fakeSources())
	return root
}

func TestComplete(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"stop", "w"}, "web worker :4"},
		{[]string{"stop", "web", "w"}, "worker :4"},  // given ones are left out
		{[]string{"stop", "fed"}, "fedcba987654 :4"}, // no name matches: IDs
		{[]string{"run", ""}, "alpine:3.20 busybox:latest :4"},
		{[]string{"run", "busybox", ""}, ":0"}, // the command: files again
		{[]string{"volume", "rm", "d"}, "data db :4"},
		{[]string{"network", "rm", ""}, ":4"}, // a failing source offers nothing
	}
	for _, c := range cases {
		got := strings.Join(complete(t, tree(), c.args...), " ")
		if got != c.want {
			t.Errorf("__complete %q = %q, want %q", c.args, got, c.want)
		}
	}
}
