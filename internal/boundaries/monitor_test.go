package boundaries

import "testing"

// ward-monitor watches every detached container and its resident memory
// is a headline figure: it links no BPF code. Only a container in
// --profile-mode log gets an observer, ward-observe, a process of its
// own that the monitor starts (internal/monitor/observer.go).
func TestMonitorLinksNoBPF(t *testing.T) {
	requireNone(t, "cmd/ward-monitor", "github.com/cilium/ebpf", module+"internal/linux/observe", module+"internal/profilewatch")
}
