package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/container"
	"github.com/wardproject/ward/internal/pstable"
	"github.com/wardproject/ward/internal/updateresources"
)

func newPauseCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use: "pause ID", Short: "Freeze every process of a container", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error { return container.Pause(g.root, args[0]) },
	}
}

func newResumeCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use: "resume ID", Short: "Thaw a paused container", Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error { return container.Resume(g.root, args[0]) },
	}
}

func newPsCommand(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "ps [--format table|json] ID [-- PS_OPTIONS]",
		Short: "List a container's processes (json: their host PIDs)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			pids, err := container.Processes(g.root, args[0])
			if err != nil {
				return err
			}
			switch format {
			case "json":
				return json.NewEncoder(os.Stdout).Encode(pids)
			case "table":
				return pstable.Write(os.Stdout, pids, args[1:])
			}
			return fmt.Errorf("invalid format %q: want table or json", format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	return cmd
}

func newUpdateCommand(g *globals) *cobra.Command {
	var v updateresources.Values
	cmd := &cobra.Command{
		Use:   "update [--resources FILE|-] [flags] ID",
		Short: "Change a running container's resource limits",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			r, err := updateresources.Build(os.Stdin, v, c.Flags().Changed)
			if err != nil {
				return err
			}
			return container.Update(g.root, args[0], r)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&v.Resources, "resources", "r", "", "a linux.resources JSON document, or - for stdin")
	f.Int64Var(&v.Memory, "memory", 0, "memory limit in bytes")
	f.Int64Var(&v.MemorySwap, "memory-swap", 0, "memory plus swap limit in bytes")
	f.Int64Var(&v.MemoryReservation, "memory-reservation", 0, "memory soft limit in bytes")
	f.Int64Var(&v.PidsLimit, "pids-limit", 0, "maximum number of tasks")
	f.Uint64Var(&v.CPUShares, "cpu-shares", 0, "relative CPU weight")
	f.Uint64Var(&v.CPUPeriod, "cpu-period", 0, "CFS period in microseconds")
	f.Int64Var(&v.CPUQuota, "cpu-quota", 0, "CFS quota in microseconds")
	f.StringVar(&v.CpusetCpus, "cpuset-cpus", "", "CPUs the container may use")
	f.StringVar(&v.CpusetMems, "cpuset-mems", "", "memory nodes the container may use")
	return cmd
}

func newEventsCommand(g *globals) *cobra.Command {
	var stats bool
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "events [--stats] [--interval D] ID",
		Short: "Print a container's resource usage as JSON events (once with --stats)",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return container.WriteEvents(os.Stdout, g.root, args[0], stats, interval)
		},
	}
	cmd.Flags().BoolVar(&stats, "stats", false, "print the current stats once and exit")
	cmd.Flags().DurationVar(&interval, "interval", 5*time.Second, "time between stats events")
	return cmd
}
