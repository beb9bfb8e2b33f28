package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestVolumeTypeNotAllowed(t *testing.T) {
	with := func(vs ...workload.Volume) workload.Workload {
		w := hardened(workload.KindKubernetes)
		w.Volumes = vs
		return w
	}
	runCases(t, VolumeTypeNotAllowed, audit.Settings{}, []ruleCase{
		{"nfs", with(workload.Volume{Name: "data", Type: "nfs"}), 1},
		{"hostPath is WD150's", with(workload.Volume{Name: "h", Type: "hostPath"}), 0},
		{"pvc and configMap", with(workload.Volume{Name: "d", Type: "persistentVolumeClaim"}, workload.Volume{Name: "c", Type: "configMap"}), 0},
	})
}
