package rootdir

import "testing"

// The layout is an on-disk contract: roots written by earlier versions of
// ward (and the test suites' fixtures) keep these names.
func TestLayoutIsStable(t *testing.T) {
	l := Layout("/r")
	for got, want := range map[string]string{
		l.Containers(): "/r/containers", l.Container("abc"): "/r/containers/abc",
		l.Images(): "/r/images", l.ImageDB(): "/r/images/meta.db", l.Layers(): "/r/layers",
		l.Snapshots(): "/r/snapshots", l.Volumes(): "/r/volumes", l.Network(): "/r/network",
		l.NetworkDB(): "/r/network/network.db", l.Netns(): "/r/netns", l.Userns(): "/r/userns",
		l.IDRanges(): "/r/idranges.db", l.Runtime(): "/r/runtime", l.VulnDB(): "/r/vulndb",
		l.Trust(): "/r/trust", l.Root(): "/r",
	} {
		if got != want {
			t.Errorf("layout path %q, want %q", got, want)
		}
	}
}
