package main

import (
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/learnverb"
)

// newLearnCommand is `ward learn`: run a container under observation and
// write the least privilege it needed as a profile (-o), or replay a
// profile with the same command line (--verify). Exit 0 on a profile
// written or a replay passed, 1 when the workload or its exercise
// failed, 125 when ward failed.
func newLearnCommand() *cobra.Command {
	var f runFlags
	var lf learnverb.Options
	cmd := &cobra.Command{
		Use:   "learn (-o PROFILE | --verify PROFILE) [--exercise CMD] [--duration D] [run flags] IMAGE [COMMAND [ARG...]]\n  ward learn --convert PROFILE --format flags|seccomp|compose|kubernetes",
		Short: "Learn the least privilege a container needs by watching it run, then prove it by replay",
		RunE: func(cmd *cobra.Command, args []string) error {
			if help, _ := cmd.Flags().GetBool("help"); help {
				return cmd.Help()
			}
			if lf.Convert != "" {
				// --format and --network are run's flags, shared.
				format, _ := cmd.Flags().GetString("format")
				network, _ := cmd.Flags().GetString("network")
				return learnverb.Convert(cmd.OutOrStdout(), lf.Convert, format, network, args)
			}
			return learnverb.Run(cli.Layout(), &f.Flags, cmd.Flags().Changed, lf, args, cmd.ErrOrStderr())
		},
	}
	cli.LazyFlags(cmd, func() {
		f.register(cmd)
		fl := cmd.Flags()
		fl.StringVarP(&lf.Output, "output", "o", "", "write the learned profile to this file")
		fl.StringVar(&lf.Verify, "verify", "", "replay the command line and its exercise under this profile")
		fl.StringVar(&lf.Exercise, "exercise", "", "shell command run on the host once the container runs (WARD_CONTAINER_ID, WARD_CONTAINER_IP set); its status is the pass or fail")
		fl.StringVar(&lf.Convert, "convert", "", "print a profile as --format flags|seccomp|compose|kubernetes says, running nothing")
		fl.DurationVar(&lf.Duration, "duration", 0, "stop the container after this long (e.g. 30s)")
	})
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &exitstatus.Error{Code: 125, Err: err} })
	return cmd
}
