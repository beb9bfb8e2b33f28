package cli

import (
	"testing"

	"github.com/spf13/cobra"
)

// lazyTree is a root with a deferred-flags leaf at the top and under a
// group, and a command with eager flags.
func lazyTree(t *testing.T) (root, run, groupRun, ps *cobra.Command) {
	t.Helper()
	t.Cleanup(func() { clear(lazyFlags); afterFlags = nil })
	root = Root("ward", "test")
	leaf := func(name string) *cobra.Command {
		c := &cobra.Command{Use: name, RunE: func(*cobra.Command, []string) error { return nil }}
		LazyFlags(c, func() {
			c.Flags().SetInterspersed(false)
			c.Flags().StringArrayP("env", "e", nil, "")
			c.Flags().String("network", "", "")
		})
		return c
	}
	run, groupRun = leaf("run"), leaf("run")
	group := &cobra.Command{Use: "container"}
	group.AddCommand(groupRun)
	ps = &cobra.Command{Use: "ps", RunE: func(*cobra.Command, []string) error { return nil }}
	ps.Flags().BoolP("all", "a", false, "")
	root.AddCommand(run, group, ps)
	return root, run, groupRun, ps
}

func TestRegisterFlags(t *testing.T) {
	for _, tc := range []struct {
		name          string
		args          []string
		run, groupRun bool // whose flags are declared
	}{
		{"run declares run's alone", []string{"--root", "/x", "run", "--network", "none", "-e", "A=1", "img", "true"}, true, false},
		{"container run declares its own alone", []string{"container", "run", "--rm", "img"}, false, true},
		{"another verb declares all", []string{"ps", "-a"}, true, true},
		{"help declares all", []string{"help", "run"}, true, true},
		{"completion declares all", []string{"__complete", "run", "--net"}, true, true},
		{"an unknown verb declares all", []string{"nosuch"}, true, true},
		{"nil args (a test's tree) declares all", nil, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, run, groupRun, _ := lazyTree(t)
			after := 0
			AfterFlags(func() { after++ })
			RegisterFlags(root, tc.args)
			if got := run.Flags().Lookup("network") != nil; got != tc.run {
				t.Errorf("run's flags declared: %v, want %v", got, tc.run)
			}
			if got := groupRun.Flags().Lookup("network") != nil; got != tc.groupRun {
				t.Errorf("container run's flags declared: %v, want %v", got, tc.groupRun)
			}
			if after != 1 {
				t.Errorf("AfterFlags functions ran %d times, want 1", after)
			}
			RegisterFlags(root, nil) // declaring again declares nothing twice (pflag would panic)
		})
	}
}

// TestRegisterFlagsParses: the command found before its flags existed
// is the one cobra runs, with its deferred flags parsed.
func TestRegisterFlagsParses(t *testing.T) {
	root, run, _, _ := lazyTree(t)
	var got []string
	run.RunE = func(c *cobra.Command, args []string) error {
		got, _ = c.Flags().GetStringArray("env")
		got = append(got, args...)
		return nil
	}
	args := []string{"run", "-e", "A=1", "--network", "none", "img", "-e", "x"}
	RegisterFlags(root, args)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	want := []string{"A=1", "img", "-e", "x"}
	if len(got) != len(want) {
		t.Fatalf("env and args %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("env and args %q, want %q", got, want)
		}
	}
}

func TestLazyFlagsRefusesAGroup(t *testing.T) {
	t.Cleanup(func() { clear(lazyFlags) })
	group := &cobra.Command{Use: "container"}
	group.AddCommand(&cobra.Command{Use: "run"})
	defer func() {
		if recover() == nil {
			t.Error("LazyFlags accepted a command with subcommands")
		}
	}()
	LazyFlags(group, func() {})
}
