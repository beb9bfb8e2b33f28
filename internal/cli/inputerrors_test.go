package cli

import (
	"errors"
	"testing"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/exitstatus"
)

func TestInputErrors(t *testing.T) {
	var fail error
	parent := &cobra.Command{Use: "db"}
	sub := &cobra.Command{
		Use:  "status",
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return fail },
	}
	sub.Flags().String("format", "table", "")
	parent.AddCommand(sub)
	InputErrors(parent, 2)
	parent.SilenceErrors, parent.SilenceUsage = true, true
	for _, tc := range []struct {
		name string
		args []string
		fail error
		want int // -1: no error
	}{
		{"success", []string{"status"}, nil, -1},
		{"bad flag", []string{"status", "--bogus"}, nil, 2},
		{"bad arguments", []string{"status", "extra"}, nil, 2},
		{"plain error", []string{"status"}, errors.New("no database"), 2},
		{"error with its status", []string{"status"}, exitstatus.New(1, errors.New("findings")), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fail = tc.fail
			parent.SetArgs(tc.args)
			err := parent.Execute()
			switch {
			case tc.want < 0 && err != nil:
				t.Errorf("error %v, want none", err)
			case tc.want >= 0 && (err == nil || ExitCode(err) != tc.want):
				t.Errorf("error %v (status %d), want status %d", err, ExitCode(err), tc.want)
			}
		})
	}
}
