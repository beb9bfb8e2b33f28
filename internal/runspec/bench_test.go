package runspec

import (
	"path/filepath"
	"testing"
)

// BenchmarkBuild measures building the spec for a default `ward run`,
// the part of its start-up that runspec owns.
func BenchmarkBuild(b *testing.B) {
	rootfs, err := filepath.Abs(filepath.Join("testdata", "rootfs"))
	if err != nil {
		b.Fatal(err)
	}
	host, err := ProbeHost()
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		o    Options
	}{
		{name: "default", o: Options{Cmd: []string{"true"}}},
		{name: "user-capadd-readonly", o: Options{Cmd: []string{"true"}, User: "app", CapAdd: []string{"NET_ADMIN"}, ReadOnly: true, Tmpfs: []string{"/tmp"}}},
		{name: "privileged", o: Options{Cmd: []string{"true"}, Privileged: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			o := bc.o
			o.Host = host
			for b.Loop() {
				if _, err := Build(o, rootfs, testID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("probe-host", func(b *testing.B) {
		for b.Loop() {
			if _, err := ProbeHost(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
