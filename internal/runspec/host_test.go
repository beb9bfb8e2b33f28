package runspec

import (
	"slices"
	"testing"
)

// TestProbeHostFor: an unprivileged container's probe skips the walk of
// /dev and nothing else; a privileged one's lists the host's devices.
func TestProbeHostFor(t *testing.T) {
	full, err := ProbeHostFor(true)
	if err != nil {
		t.Fatal(err)
	}
	light, err := ProbeHostFor(false)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Devices) == 0 {
		t.Error("the privileged probe lists no devices")
	}
	if light.Devices != nil {
		t.Errorf("the unprivileged probe lists %d devices", len(light.Devices))
	}
	if !slices.Equal(light.Capabilities, full.Capabilities) || light.Hostname != full.Hostname || light.CPUs != full.CPUs {
		t.Errorf("the probes differ beyond devices:\n%+v\n%+v", light, full)
	}
}

// BenchmarkProbeHostFor: what skipping /dev saves on every unprivileged run.
func BenchmarkProbeHostFor(b *testing.B) {
	for _, privileged := range []bool{false, true} {
		name := "unprivileged"
		if privileged {
			name = "privileged"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := ProbeHostFor(privileged); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
