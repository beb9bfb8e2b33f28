package updateresources

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuild(t *testing.T) {
	given := func(names ...string) func(string) bool {
		return func(f string) bool {
			for _, n := range names {
				if n == f {
					return true
				}
			}
			return false
		}
	}
	// Flags alone: only those given are set.
	r, err := Build(nil, Values{Memory: 64 << 20, PidsLimit: 50, CPUShares: 512, CpusetCpus: "0"}, given("memory", "pids-limit", "cpuset-cpus"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Memory == nil || *r.Memory.Limit != 64<<20 || r.Memory.Swap != nil || r.Pids == nil || *r.Pids.Limit != 50 ||
		r.CPU == nil || r.CPU.Shares != nil || r.CPU.Cpus != "0" {
		t.Errorf("Build(flags) = %+v", r)
	}
	if r, _ := Build(nil, Values{Memory: 1}, given()); r.Memory != nil || r.CPU != nil || r.Pids != nil {
		t.Errorf("Build without given flags set %+v", r)
	}

	// A document from a file and from stdin, flags laid over it.
	doc := `{"memory":{"limit":1000,"swap":2000},"cpu":{"quota":5000}}`
	path := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err = Build(nil, Values{Resources: path, MemorySwap: 3000}, given("memory-swap"))
	if err != nil {
		t.Fatal(err)
	}
	if *r.Memory.Limit != 1000 || *r.Memory.Swap != 3000 || *r.CPU.Quota != 5000 {
		t.Errorf("Build(file + flag) = memory %+v cpu %+v", r.Memory, r.CPU)
	}
	r, err = Build(strings.NewReader(doc), Values{Resources: "-"}, given())
	if err != nil || *r.Memory.Limit != 1000 {
		t.Errorf("Build(stdin) = %+v, %v", r, err)
	}

	if _, err := Build(strings.NewReader("{"), Values{Resources: "-"}, given()); err == nil || !strings.HasPrefix(err.Error(), "parse resources: ") {
		t.Errorf("Build(bad JSON) = %v", err)
	}
	if _, err := Build(nil, Values{Resources: path + ".none"}, given()); err == nil || !strings.HasPrefix(err.Error(), "read resources: ") {
		t.Errorf("Build(missing file) = %v", err)
	}
}
