package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestConfirm(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"y\n", true}, {"YES\n", true}, {" yes \n", true}, {"y", true},
		{"n\n", false}, {"\n", false}, {"", false}, {"yess\n", false},
	} {
		var prompt strings.Builder
		if got := Confirm(strings.NewReader(tc.in), &prompt, "WARNING! This will remove x."); got != tc.want {
			t.Errorf("Confirm(%q) = %v, want %v", tc.in, got, tc.want)
		}
		if want := "WARNING! This will remove x.\nAre you sure you want to continue? [y/N] "; prompt.String() != want {
			t.Errorf("prompt %q, want %q", prompt.String(), want)
		}
	}
}

func TestRenamed(t *testing.T) {
	c := Renamed(&cobra.Command{Use: "images [-q] [REPOSITORY[:TAG]]"}, "ls", "list")
	if c.Use != "ls [-q] [REPOSITORY[:TAG]]" || len(c.Aliases) != 1 || c.Aliases[0] != "list" {
		t.Errorf("got %q %v", c.Use, c.Aliases)
	}
	if c := Renamed(&cobra.Command{Use: "ps"}, "ls"); c.Use != "ls" {
		t.Errorf("got %q", c.Use)
	}
}

func TestExitStatuses(t *testing.T) {
	failing := ExitOne(func(*cobra.Command, []string) error { return errors.New("no such container: x") })
	if got := ExitCode(failing(nil, nil)); got != 1 {
		t.Errorf("ExitOne: status %d, want 1", got)
	}
	check := ArgsExitOne(cobra.MaximumNArgs(1))
	if err := check(&cobra.Command{}, []string{"a", "b"}); ExitCode(err) != 1 {
		t.Errorf("ArgsExitOne: %v, status %d, want 1", err, ExitCode(err))
	}
	if err := check(&cobra.Command{}, []string{"a"}); err != nil {
		t.Errorf("ArgsExitOne with one argument: %v", err)
	}
}

func TestIntIfChanged(t *testing.T) {
	var v int
	cmd := &cobra.Command{}
	cmd.Flags().IntVarP(&v, "time", "t", 10, "")
	if got := IntIfChanged(cmd, "time", v); got != nil {
		t.Errorf("not given: %v, want nil", *got)
	}
	if err := cmd.Flags().Parse([]string{"-t", "3"}); err != nil {
		t.Fatal(err)
	}
	if got := IntIfChanged(cmd, "time", v); got == nil || *got != 3 {
		t.Errorf("given: %v, want 3", got)
	}
}
