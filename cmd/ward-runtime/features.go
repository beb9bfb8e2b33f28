package main

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/runtime-spec/specs-go/features"
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/linux/capability"
)

func specVersion() string { return specs.Version }

func newFeaturesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "features",
		Short: "Print what this runtime supports, as the runtime-spec features document",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			no := false
			return printJSON(features.Features{
				OCIVersionMin: "1.0.0",
				OCIVersionMax: specs.Version,
				Hooks:         []string{},
				MountOptions: []string{
					"async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec",
					"mand", "noatime", "nodev", "nodiratime", "noexec", "nomand", "norelatime",
					"nostrictatime", "nosuid", "private", "rbind", "relatime", "remount", "ro",
					"rprivate", "rshared", "rslave", "runbindable", "rw", "shared", "silent",
					"slave", "strictatime", "suid", "sync", "unbindable",
				},
				Linux: &features.Linux{
					Namespaces:   []string{"cgroup", "ipc", "mount", "network", "pid", "user", "uts"},
					Capabilities: capability.Known(),
					Cgroup:       &features.Cgroup{V1: &no, V2: &no, Systemd: &no, SystemdUser: &no},
					Seccomp:      &features.Seccomp{Enabled: &no},
					Apparmor:     &features.Apparmor{Enabled: &no},
					Selinux:      &features.Selinux{Enabled: &no},
					MountExtensions: &features.MountExtensions{
						IDMap: &features.IDMap{Enabled: &no},
					},
				},
			})
		},
	}
}
