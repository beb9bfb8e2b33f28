package rules

import (
	"slices"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// VolumeTypeNotAllowed fires on Kubernetes volumes outside the restricted
// profile's list. hostPath is left to WD150-WD152.
var VolumeTypeNotAllowed = audit.Rule{
	ID:        "WD154",
	Checklist: audit.HostMounts,
	Severity:  audit.Low,
	Title:     "Volume type outside the restricted set",
	Why:       "Network and node-backed volume types (nfs, iscsi, cephfs, flexVolume, gitRepo...) reach outside the pod's own storage, and some run node-side helpers with root; the restricted profile allows only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and secret.",
	Fix: map[workload.Kind]string{
		workload.KindKubernetes: "Replace the volume with a persistentVolumeClaim (the storage class decides the backend), or one of configMap, csi, downwardAPI, emptyDir, ephemeral, projected, secret.",
	},
	Equivalents: []string{"PSS restricted: Volume Types"},
	Check:       checkVolumeTypes,
}

var restrictedVolumeTypes = []string{"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret", "hostPath"}

func checkVolumeTypes(w *workload.Workload, _ audit.Settings) []audit.Violation {
	var out []audit.Violation
	for _, v := range w.Volumes {
		if v.Type != "" && !slices.Contains(restrictedVolumeTypes, v.Type) {
			out = append(out, audit.Violation{Message: "volume " + quote(v.Name) + " is of type " + v.Type, Line: v.Line})
		}
	}
	return out
}
