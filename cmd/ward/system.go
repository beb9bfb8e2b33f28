package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/format"
	"github.com/wardproject/ward/internal/listing"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/record"
)

// newSystemCommand is `ward system`: df, prune (system_prune.go) and
// boot (system_boot.go).
func newSystemCommand() *cobra.Command {
	sys := &cobra.Command{Use: "system", Short: "Manage ward's root"}
	sys.AddCommand(newSystemDfCommand(), newSystemPruneCommand(), newSystemBootCommand())
	return sys
}

func newSystemDfCommand() *cobra.Command {
	var tmplText string
	cmd := &cobra.Command{
		Use:   "df [--format TEMPLATE|json]",
		Short: "Show the disk space images, containers and volumes use",
		Args:  cobra.NoArgs,
		RunE: containerRunE(func(_ *cobra.Command, _ []string) error {
			if tmplText == "" {
				tmplText = listing.DefaultDiskUsageFormat
			}
			w, err := format.New(os.Stdout, tmplText, listing.DiskUsageHeaders)
			if err != nil {
				return err
			}
			rows, err := diskUsage()
			if err != nil {
				return err
			}
			for _, r := range rows {
				if err := w.Write(r); err != nil {
					return err
				}
			}
			return w.Flush()
		}),
	}
	cmd.Flags().StringVar(&tmplText, "format", "", "a Go template (Docker's fields and functions, table), or json")
	return cmd
}

// diskUsage measures what docker system df lists: images (each layer
// counted once), containers' writable layers, volumes, and a build cache
// ward does not have.
func diskUsage() ([]listing.DiskUsageRow, error) {
	var containers []*record.Container
	if dir := cli.Layout().Containers(); exists(dir) {
		records, err := record.OpenRecords(dir)
		if err != nil {
			return nil, err
		}
		if containers, err = records.List(); err != nil {
			return nil, err
		}
	}
	usedImages := map[string]bool{}
	var cSize, cReclaim int64
	running := 0
	for _, c := range containers {
		usedImages[c.Image] = true
		size, _ := listing.WritableSize(wardRoot(), c.ID)
		cSize += size
		if c.State.Status == record.StatusRunning {
			running++
		} else {
			cReclaim += size
		}
	}

	s, err := open.Images(cli.Layout())
	if err != nil {
		return nil, err
	}
	imgs, err := s.List()
	if err != nil {
		return nil, err
	}
	layers, activeLayers := map[string]int64{}, map[string]int64{}
	seen := map[string]bool{}
	active := 0
	for _, img := range imgs {
		if seen[img.ID.String()] {
			continue
		}
		seen[img.ID.String()] = true
		if usedImages[img.ID.String()] {
			active++
		}
		for _, l := range img.Layers {
			layers[l.DiffID.String()] = l.UncompressedSize
			if usedImages[img.ID.String()] {
				activeLayers[l.DiffID.String()] = l.UncompressedSize
			}
		}
	}
	var iSize, iActive int64
	for _, n := range layers {
		iSize += n
	}
	for _, n := range activeLayers {
		iActive += n
	}

	vols, err := open.Volumes(cli.Layout())
	if err != nil {
		return nil, err
	}
	vlist, err := vols.List()
	if err != nil {
		return nil, err
	}
	users, err := open.VolumeUsers(cli.Layout())
	if err != nil {
		return nil, err
	}
	var vSize, vReclaim int64
	vActive := 0
	for _, v := range vlist {
		n := vols.Size(v.Name)
		vSize += n
		if len(users[v.Name]) > 0 {
			vActive++
		} else {
			vReclaim += n
		}
	}
	return []listing.DiskUsageRow{
		listing.NewDiskUsageRow("Images", len(seen), active, iSize, iSize-iActive),
		listing.NewDiskUsageRow("Containers", len(containers), running, cSize, cReclaim),
		listing.NewDiskUsageRow("Local Volumes", len(vlist), vActive, vSize, vReclaim),
		listing.NewDiskUsageRow("Build Cache", 0, 0, 0, 0),
	}, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
