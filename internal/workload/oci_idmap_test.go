package workload

import (
	"encoding/json"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/bundle"
)

// A bind the engine made idmapped (-v SRC:DST:idmap) is judged as a bind
// of SRC, the host path the container sees, not of the engine's clone;
// the annotation on any other bind cannot hide its host path.
func TestOCIIdmappedBindIsJudgedAsItsHostPath(t *testing.T) {
	s := specs.Spec{
		Version:     specs.Version,
		Process:     &specs.Process{Args: []string{"sh"}},
		Annotations: map[string]string{bundle.IDMapSourceAnnotation + "/data": "/srv/data", bundle.IDMapSourceAnnotation + "/other": "/srv/innocent"},
		Mounts: []specs.Mount{
			{Destination: "/data", Type: "bind", Source: "/var/lib/ward/idmapped/abc/0", Options: []string{"rbind", "rprivate"}},
			{Destination: "/other", Type: "bind", Source: "/srv/other", Options: []string{"rbind"}},
		},
	}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := ReadOCIConfig("config.json", data)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range ws[0].Mounts {
		got[m.Destination] = m.Source
	}
	if got["/data"] != "/srv/data" || got["/other"] != "/srv/other" {
		t.Errorf("mount sources judged: %v", got)
	}
}
