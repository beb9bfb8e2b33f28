package rules

import "github.com/wardproject/ward/internal/workload"

// sharing returns a hardened workload of kind k changed by set.
func sharing(k workload.Kind, set func(*workload.Workload)) workload.Workload {
	w := hardened(k)
	set(&w)
	return w
}

var (
	pidHost = func(w *workload.Workload) { w.HostPID = true }
	ipcHost = func(w *workload.Workload) { w.HostIPC = true }
	utsHost = func(w *workload.Workload) { w.HostUTS = true }
	netHost = func(w *workload.Workload) { w.HostNetwork = true }
)
