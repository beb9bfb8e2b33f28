package listing

import (
	"os"

	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
)

// DiskUsage measures what docker system df lists, under l: images (each
// layer counted once), containers' writable layers, volumes, and a build
// cache ward does not have.
func DiskUsage(l rootdir.Layout) ([]DiskUsageRow, error) {
	var containers []*record.Container
	if _, err := os.Stat(l.Containers()); err == nil {
		records, err := record.OpenRecords(l.Containers())
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
		size, _ := WritableSize(l.Root(), c.ID)
		cSize += size
		if c.State.Status == record.StatusRunning {
			running++
		} else {
			cReclaim += size
		}
	}

	s, err := open.Images(l)
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
		for _, layer := range img.Layers {
			layers[layer.DiffID.String()] = layer.UncompressedSize
			if usedImages[img.ID.String()] {
				activeLayers[layer.DiffID.String()] = layer.UncompressedSize
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

	vols, err := open.Volumes(l)
	if err != nil {
		return nil, err
	}
	vlist, err := vols.List()
	if err != nil {
		return nil, err
	}
	users, err := open.VolumeUsers(l)
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
	return []DiskUsageRow{
		NewDiskUsageRow("Images", len(seen), active, iSize, iSize-iActive),
		NewDiskUsageRow("Containers", len(containers), running, cSize, cReclaim),
		NewDiskUsageRow("Local Volumes", len(vlist), vActive, vSize, vReclaim),
		NewDiskUsageRow("Build Cache", 0, 0, 0, 0),
	}, nil
}
