package rootfs

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseOptions(t *testing.T) {
	cases := []struct {
		opts  []string
		flags uintptr
		props int
		data  string
	}{
		{[]string{"nosuid", "noexec", "nodev", "ro"}, unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV | unix.MS_RDONLY, 0, ""},
		{[]string{"rbind", "ro", "rw"}, unix.MS_BIND | unix.MS_REC, 0, ""},
		{[]string{"nosuid", "mode=755", "size=65536k"}, unix.MS_NOSUID, 0, "mode=755,size=65536k"},
		{[]string{"bind", "rprivate", "slave"}, unix.MS_BIND, 2, ""},
		{[]string{"newinstance", "ptmxmode=0666", "gid=5"}, 0, 0, "newinstance,ptmxmode=0666,gid=5"},
		{[]string{"relatime", "norelatime", "strictatime"}, unix.MS_STRICTATIME, 0, ""},
	}
	for _, tc := range cases {
		got := parseOptions(tc.opts)
		if got.flags != tc.flags || len(got.propagation) != tc.props || got.data != tc.data {
			t.Errorf("parseOptions(%v) = flags %#x, %d propagation changes, data %q; want %#x, %d, %q",
				tc.opts, got.flags, len(got.propagation), got.data, tc.flags, tc.props, tc.data)
		}
	}
}

func TestPropagationFlag(t *testing.T) {
	if f, ok := PropagationFlag("rslave"); !ok || f != unix.MS_SLAVE|unix.MS_REC {
		t.Errorf("rslave = %#x, %v", f, ok)
	}
	if _, ok := PropagationFlag("sideways"); ok {
		t.Error("an unknown propagation word was accepted")
	}
}
