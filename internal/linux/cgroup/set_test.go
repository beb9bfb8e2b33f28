package cgroup

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// fakeManager builds cgroup directories under a temporary directory, one per
// hierarchy key, holding the given files ("key/name" -> initial content),
// and loads a Manager on them. Set never creates files, so the files
// present stand for what the kernel offers.
func fakeManager(t *testing.T, keys []string, files map[string]string) (*Manager, string) {
	t.Helper()
	root := t.TempDir()
	paths := map[string]string{}
	for _, k := range keys {
		dir := filepath.Join(root, k, "ctr")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		paths[k] = dir
	}
	for name, content := range files {
		key, file, _ := strings.Cut(name, "/")
		if err := os.WriteFile(filepath.Join(paths[key], file), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := Load(paths)
	if err != nil {
		t.Fatal(err)
	}
	return m, root
}

var (
	v1Keys     = []string{"memory", "cpu", "cpuacct", "cpuset", "pids", "blkio", "devices", "freezer"}
	hybridKeys = append(append([]string{}, v1Keys...), UnifiedKey)
	v2Keys     = []string{UnifiedKey}
)

func TestSet(t *testing.T) {
	tests := []struct {
		name    string
		keys    []string
		files   map[string]string
		res     specs.LinuxResources
		want    map[string]string
		wantErr string // text the error must contain; ErrNotSupported when notSup
		notSup  bool
	}{
		{
			name: "v1 memory raising limits writes swap first",
			keys: v1Keys,
			files: map[string]string{
				"memory/memory.limit_in_bytes": "1000", "memory/memory.memsw.limit_in_bytes": "1000",
				"memory/memory.soft_limit_in_bytes": "", "memory/memory.swappiness": "", "memory/memory.oom_control": "",
			},
			res: specs.LinuxResources{Memory: &specs.LinuxMemory{
				Limit: ptr[int64](64 << 20), Swap: ptr[int64](128 << 20), Reservation: ptr[int64](32 << 20),
				Swappiness: ptr[uint64](10), DisableOOMKiller: ptr(true),
			}},
			want: map[string]string{
				"memory/memory.limit_in_bytes": "67108864", "memory/memory.memsw.limit_in_bytes": "134217728",
				"memory/memory.soft_limit_in_bytes": "33554432", "memory/memory.swappiness": "10", "memory/memory.oom_control": "1",
			},
		},
		{
			name:  "v1 unlimited memory makes unlimited swap",
			keys:  v1Keys,
			files: map[string]string{"memory/memory.limit_in_bytes": "1000", "memory/memory.memsw.limit_in_bytes": "2000"},
			res:   specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](-1)}},
			want:  map[string]string{"memory/memory.limit_in_bytes": "-1", "memory/memory.memsw.limit_in_bytes": "-1"},
		},
		{
			name:    "v1 swappiness above 100",
			keys:    v1Keys,
			files:   map[string]string{"memory/memory.swappiness": "60"},
			res:     specs.LinuxResources{Memory: &specs.LinuxMemory{Swappiness: ptr[uint64](101)}},
			wantErr: "above 100",
		},
		{
			name: "v1 cpu",
			keys: v1Keys,
			files: map[string]string{
				"cpu/cpu.shares": "", "cpu/cpu.cfs_quota_us": "", "cpu/cpu.cfs_period_us": "",
				"cpuset/cpuset.cpus": "", "cpuset/cpuset.mems": "",
			},
			res: specs.LinuxResources{CPU: &specs.LinuxCPU{
				Shares: ptr[uint64](512), Quota: ptr[int64](50000), Period: ptr[uint64](100000), Cpus: "0", Mems: "0",
			}},
			want: map[string]string{
				"cpu/cpu.shares": "512", "cpu/cpu.cfs_quota_us": "50000", "cpu/cpu.cfs_period_us": "100000",
				"cpuset/cpuset.cpus": "0", "cpuset/cpuset.mems": "0",
			},
		},
		{
			name:    "v1 checkBeforeUpdate refuses a limit below usage",
			keys:    v1Keys,
			files:   map[string]string{"memory/memory.limit_in_bytes": "9000", "memory/memory.usage_in_bytes": "5000"},
			res:     specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](4000), CheckBeforeUpdate: ptr(true)}},
			wantErr: "below current usage 5000",
		},
		{
			name:  "v1 checkBeforeUpdate allows a limit above usage",
			keys:  v1Keys,
			files: map[string]string{"memory/memory.limit_in_bytes": "9000", "memory/memory.usage_in_bytes": "5000"},
			res:   specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](6000), CheckBeforeUpdate: ptr(true)}},
			want:  map[string]string{"memory/memory.limit_in_bytes": "6000"},
		},
		{
			name:  "v1 zero memory limit is unset",
			keys:  v1Keys,
			files: map[string]string{"memory/memory.limit_in_bytes": "9000"},
			res:   specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](0)}},
			want:  map[string]string{"memory/memory.limit_in_bytes": "9000"},
		},
		{
			name:    "v2 checkBeforeUpdate refuses a limit below usage",
			keys:    v2Keys,
			files:   map[string]string{"unified/memory.max": "max", "unified/memory.current": "5000"},
			res:     specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](4000), CheckBeforeUpdate: ptr(true)}},
			wantErr: "below current usage 5000",
		},
		{
			name:  "v1 pids zero is unlimited",
			keys:  v1Keys,
			files: map[string]string{"pids/pids.max": "10"},
			res:   specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](0)}},
			want:  map[string]string{"pids/pids.max": "max"},
		},
		{
			name:  "v1 blkio weight falls back to bfq",
			keys:  v1Keys,
			files: map[string]string{"blkio/blkio.bfq.weight": "100", "blkio/blkio.throttle.read_bps_device": ""},
			res: specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{
				Weight: ptr[uint16](300),
				ThrottleReadBpsDevice: []specs.LinuxThrottleDevice{
					{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 254, Minor: 0}, Rate: 1 << 20},
				},
			}},
			want: map[string]string{"blkio/blkio.bfq.weight": "300", "blkio/blkio.throttle.read_bps_device": "254:0 1048576"},
		},
		{
			name:    "v1 blkio leaf weight missing",
			keys:    v1Keys,
			files:   map[string]string{"blkio/blkio.bfq.weight": "100"},
			res:     specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{LeafWeight: ptr[uint16](300)}},
			wantErr: "blkio.leaf_weight does not exist",
			notSup:  true,
		},
		{
			name:    "v1 hugetlb not mounted",
			keys:    v1Keys,
			res:     specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 1 << 21}}},
			wantErr: "hugetlb.2MB.limit_in_bytes",
			notSup:  true,
		},
		{
			name:    "v1 net_cls not mounted",
			keys:    v1Keys,
			res:     specs.LinuxResources{Network: &specs.LinuxNetwork{ClassID: ptr[uint32](0x100001)}},
			wantErr: "net_cls.classid",
			notSup:  true,
		},
		{
			name:    "v1 kernel lacks memsw",
			keys:    v1Keys,
			files:   map[string]string{"memory/memory.limit_in_bytes": "1000"},
			res:     specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](100), Swap: ptr[int64](200)}},
			wantErr: "memory.memsw.limit_in_bytes does not exist",
			notSup:  true,
		},
		{
			name:    "legacy host refuses unified",
			keys:    v1Keys,
			res:     specs.LinuxResources{Unified: map[string]string{"memory.high": "1000"}},
			wantErr: "needs cgroup v2",
			notSup:  true,
		},
		{
			name:  "hybrid host writes unified into cgroup2",
			keys:  hybridKeys,
			files: map[string]string{"unified/cgroup.max.descendants": "max"},
			res:   specs.LinuxResources{Unified: map[string]string{"cgroup.max.descendants": "5"}},
			want:  map[string]string{"unified/cgroup.max.descendants": "5"},
		},
		{
			name:  "v1 device rules on a fresh cgroup are written in order",
			keys:  v1Keys,
			files: map[string]string{"devices/devices.allow": "", "devices/devices.deny": "", "devices/devices.list": "a *:* rwm\n"},
			res: specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{
				{Allow: false, Access: "rwm"},
				{Allow: true, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](3), Access: "rwm"},
			}},
			want: map[string]string{"devices/devices.deny": "a *:* rwm", "devices/devices.allow": "c 1:3 rwm"},
		},
		{
			name: "v1 device update writes only the difference",
			keys: v1Keys,
			files: map[string]string{
				"devices/devices.allow": "", "devices/devices.deny": "",
				"devices/devices.list": "c 1:3 rwm\nc 1:5 r\n",
			},
			res: specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{
				{Allow: false, Access: "rwm"},
				{Allow: true, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](3), Access: "rw"},
				{Allow: true, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](9), Access: "rwm"},
			}},
			// Only the last write to each file survives in a plain file:
			// the drops are "c 1:3 m" then "c 1:5 r", the one add "c 1:9 rwm".
			want: map[string]string{"devices/devices.deny": "c 1:5 r", "devices/devices.allow": "c 1:9 rwm"},
		},
		{
			name: "v2 memory converts swap",
			keys: v2Keys,
			files: map[string]string{
				"unified/memory.max": "max", "unified/memory.swap.max": "max", "unified/memory.low": "0",
			},
			res: specs.LinuxResources{Memory: &specs.LinuxMemory{
				Limit: ptr[int64](100 << 20), Swap: ptr[int64](300 << 20), Reservation: ptr[int64](50 << 20),
			}},
			want: map[string]string{
				"unified/memory.max": "104857600", "unified/memory.swap.max": "209715200", "unified/memory.low": "52428800",
			},
		},
		{
			name:  "v2 unlimited memory",
			keys:  v2Keys,
			files: map[string]string{"unified/memory.max": "100", "unified/memory.swap.max": "0"},
			res:   specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: ptr[int64](-1)}},
			want:  map[string]string{"unified/memory.max": "max", "unified/memory.swap.max": "max"},
		},
		{
			name:  "v2 cpu",
			keys:  v2Keys,
			files: map[string]string{"unified/cpu.weight": "100", "unified/cpu.max": "max 100000", "unified/cpuset.cpus": ""},
			res: specs.LinuxResources{CPU: &specs.LinuxCPU{
				Shares: ptr[uint64](1024), Quota: ptr[int64](50000), Period: ptr[uint64](100000), Cpus: "0-1",
			}},
			want: map[string]string{"unified/cpu.weight": "39", "unified/cpu.max": "50000 100000", "unified/cpuset.cpus": "0-1"},
		},
		{
			name:    "v2 realtime has no equivalent",
			keys:    v2Keys,
			res:     specs.LinuxResources{CPU: &specs.LinuxCPU{RealtimeRuntime: ptr[int64](1000)}},
			wantErr: "cpu.rt_runtime_us",
			notSup:  true,
		},
		{
			name:    "v2 swappiness has no equivalent",
			keys:    v2Keys,
			res:     specs.LinuxResources{Memory: &specs.LinuxMemory{Swappiness: ptr[uint64](0)}},
			wantErr: "memory.swappiness",
			notSup:  true,
		},
		{
			name:  "v2 pids",
			keys:  v2Keys,
			files: map[string]string{"unified/pids.max": "max"},
			res:   specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](32)}},
			want:  map[string]string{"unified/pids.max": "32"},
		},
		{
			name:    "v2 pids controller not enabled",
			keys:    v2Keys,
			res:     specs.LinuxResources{Pids: &specs.LinuxPids{Limit: ptr[int64](32)}},
			wantErr: "pids.max does not exist",
			notSup:  true,
		},
		{
			name:  "v2 io weight converts",
			keys:  v2Keys,
			files: map[string]string{"unified/io.weight": "default 100", "unified/io.max": ""},
			res: specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{
				Weight: ptr[uint16](500),
				ThrottleWriteIOPSDevice: []specs.LinuxThrottleDevice{
					{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: 8, Minor: 0}, Rate: 100},
				},
			}},
			want: map[string]string{"unified/io.weight": "4950", "unified/io.max": "8:0 wiops=100"},
		},
		{
			name:  "v2 io weight prefers bfq unconverted",
			keys:  v2Keys,
			files: map[string]string{"unified/io.weight": "default 100", "unified/io.bfq.weight": "default 100"},
			res:   specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{Weight: ptr[uint16](500)}},
			want:  map[string]string{"unified/io.bfq.weight": "500", "unified/io.weight": "default 100"},
		},
		{
			name:  "v2 hugetlb",
			keys:  v2Keys,
			files: map[string]string{"unified/hugetlb.2MB.max": "max"},
			res:   specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}}},
			want:  map[string]string{"unified/hugetlb.2MB.max": "4194304"},
		},
		{
			name:  "v2 unified map",
			keys:  v2Keys,
			files: map[string]string{"unified/memory.high": "max", "unified/memory.oom.group": "0"},
			res:   specs.LinuxResources{Unified: map[string]string{"memory.high": "1000000", "memory.oom.group": "1"}},
			want:  map[string]string{"unified/memory.high": "1000000", "unified/memory.oom.group": "1"},
		},
		{
			name:    "v2 unified key escaping the cgroup",
			keys:    v2Keys,
			res:     specs.LinuxResources{Unified: map[string]string{"../memory.max": "1"}},
			wantErr: "not a cgroup file name",
		},
		{
			name:    "v2 unified key naming a core file",
			keys:    v2Keys,
			files:   map[string]string{"unified/cgroup.procs": ""},
			res:     specs.LinuxResources{Unified: map[string]string{"cgroup.procs": "1"}},
			wantErr: "only the runtime manages",
		},
		{
			name:    "v2 unified file missing",
			keys:    v2Keys,
			res:     specs.LinuxResources{Unified: map[string]string{"memory.zswap.max": "0"}},
			wantErr: "memory.zswap.max does not exist",
			notSup:  true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := fakeManager(t, tt.keys, tt.files)
			err := m.Set(&tt.res)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if tt.notSup != errors.Is(err, ErrNotSupported) {
					t.Errorf("errors.Is(err, ErrNotSupported) = %t, want %t", !tt.notSup, tt.notSup)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range tt.want {
				key, file, _ := strings.Cut(name, "/")
				got, err := readFile(m.Path(key), file)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestSetNil(t *testing.T) {
	m, _ := fakeManager(t, v1Keys, nil)
	if err := m.Set(nil); err != nil {
		t.Fatal(err)
	}
}

func TestStatsFromFiles(t *testing.T) {
	tests := []struct {
		name  string
		keys  []string
		files map[string]string
		want  Stats
	}{
		{
			name: "v1",
			keys: v1Keys,
			files: map[string]string{
				"memory/memory.usage_in_bytes": "4096", "memory/memory.max_usage_in_bytes": "8192",
				"memory/memory.limit_in_bytes": "65536", "memory/memory.failcnt": "2",
				"memory/memory.stat":    "cache 10\ntotal_cache 12\nrss 30\n",
				"cpuacct/cpuacct.usage": "5000000", "cpuacct/cpuacct.stat": "user 3\nsystem 1\n",
				"cpu/cpu.stat":      "nr_periods 7\nnr_throttled 2\nthrottled_time 900\n",
				"pids/pids.current": "3", "pids/pids.max": "max",
			},
			want: Stats{
				Memory: MemoryStats{Usage: 4096, MaxUsage: 8192, Limit: 65536, Failcnt: 2, Cache: 12},
				CPU:    CPUStats{TotalNanos: 5000000, UserNanos: 30000000, SystemNanos: 10000000, Periods: 7, ThrottledPeriods: 2, ThrottledNanos: 900},
				Pids:   PidsStats{Current: 3},
			},
		},
		{
			name: "v2",
			keys: v2Keys,
			files: map[string]string{
				"unified/memory.current": "4096", "unified/memory.max": "max", "unified/memory.events": "low 0\nmax 4\noom 1\n",
				"unified/memory.stat":  "anon 5\nfile 7\n",
				"unified/cpu.stat":     "usage_usec 10\nuser_usec 6\nsystem_usec 4\nnr_periods 1\nnr_throttled 1\nthrottled_usec 3\n",
				"unified/pids.current": "2", "unified/pids.max": "50",
			},
			want: Stats{
				Memory: MemoryStats{Usage: 4096, Limit: ^uint64(0), Failcnt: 4, Cache: 7},
				CPU:    CPUStats{TotalNanos: 10000, UserNanos: 6000, SystemNanos: 4000, Periods: 1, ThrottledPeriods: 1, ThrottledNanos: 3000},
				Pids:   PidsStats{Current: 2, Limit: 50},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := fakeManager(t, tt.keys, tt.files)
			got, err := m.Stats()
			if err != nil {
				t.Fatal(err)
			}
			got.Memory.Raw = nil      // checked through Cache
			got.CPU.PerCPUNanos = nil // v1 only, absent here
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("stats = %+v, want %+v", *got, tt.want)
			}
		})
	}
}
