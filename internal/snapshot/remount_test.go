package snapshot

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/testutil"
)

// TestMountAgain: a snapshot whose mount is gone (a reboot) is mounted
// again over the same layers, in the same order, with the container's own
// writes; mounting one that is mounted changes nothing.
func TestMountAgain(t *testing.T) {
	testutil.RequireRoot(t)
	st, sn, root := setup(t)
	var layers []v1.Layer
	for _, data := range [][]byte{
		layerTar(t, "etc/", "", "etc/os", "base", "etc/keep", "base"),
		layerTar(t, "etc/", "", "etc/os", "top"),
	} {
		l, err := tarball.LayerFromReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		layers = append(layers, l)
	}
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Write(context.Background(), img, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rootfs, err := sn.Prepare("again", rec.ID.String())
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Remove("again")
	if err := os.WriteFile(filepath.Join(rootfs, "written"), []byte("by the container"), 0o644); err != nil {
		t.Fatal(err)
	}
	mountsBefore := mountsUnder(t, root)
	if got, err := sn.Mount("again"); err != nil || got != rootfs {
		t.Fatalf("Mount of a mounted snapshot = %q, %v; want %q", got, err, rootfs)
	}
	if after := mountsUnder(t, root); after != mountsBefore {
		t.Errorf("Mount of a mounted snapshot changed the mounts:\n%s\nwas\n%s", after, mountsBefore)
	}
	if err := unix.Unmount(rootfs, 0); err != nil {
		t.Fatal(err)
	}
	if got, err := sn.Mount("again"); err != nil || got != rootfs {
		t.Fatalf("Mount = %q, %v; want %q", got, err, rootfs)
	}
	if mounted, _ := mountinfo.Mounted(rootfs); !mounted {
		t.Fatalf("%s is not mounted", rootfs)
	}
	for path, want := range map[string]string{"etc/os": "top", "etc/keep": "base", "written": "by the container"} {
		t.Run(path, func(t *testing.T) {
			got, err := os.ReadFile(filepath.Join(rootfs, path))
			if err != nil || string(got) != want {
				t.Errorf("%s = %q, %v; want %q", path, got, err, want)
			}
		})
	}
	if _, err := sn.Mount("nosuch"); err == nil {
		t.Error("Mount of a snapshot that does not exist succeeded")
	}
}
