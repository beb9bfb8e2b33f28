package containerworkload

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/audit/rules"
	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/runspec"
	"github.com/wardproject/ward/internal/workload"
)

const (
	testImage = "example.com/app:1"
	passwd    = "root:x:0:0:root:/root:/bin/sh\ntoor:x:0:0:root again:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n"
	group     = "root:x:0:\nwheel:x:10:app\nstaff:x:50:app\napp:x:1000:\n"
)

// previewEngine is an engine over a store holding testImage, whose
// passwd has a second name for uid 0; a preview needs nothing else.
func previewEngine(t testing.TB) *engine.Engine {
	t.Helper()
	dir := t.TempDir()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range []struct {
		name, data string
		mode       int64
	}{{"app", "x", 0o755}, {"etc/passwd", passwd, 0o644}, {"etc/group", group, 0o644}} {
		tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data)), Typeflag: tar.TypeReg})
		io.WriteString(tw, f.data)
	}
	tw.Close()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Config = v1.Config{Cmd: []string{"/app"}}
	cf.OS, cf.Architecture = "linux", store.Platform().Architecture
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(filepath.Join(dir, "images"))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := image.ParseReference(testImage)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write(context.Background(), img, []name.Reference{ref}, nil); err != nil {
		t.Fatal(err)
	}
	records, err := record.OpenRecords(filepath.Join(dir, "containers"))
	if err != nil {
		t.Fatal(err)
	}
	return &engine.Engine{Root: dir, Images: s, Records: records}
}

// fixedHost is a machine that can grant every capability but
// CAP_SYS_RESOURCE, as the test machines, and has two devices.
func fixedHost() *runspec.Host {
	h := &runspec.Host{Hostname: "host", CPUs: 2}
	for _, c := range capability.ListKnown() {
		if c != capability.CAP_SYS_RESOURCE {
			h.Capabilities = append(h.Capabilities, "CAP_"+strings.ToUpper(c.String()))
		}
	}
	mode := os.FileMode(0o666)
	var zero uint32
	h.Devices = append(h.Devices, runspecDevice("/dev/null", 1, 3, mode, zero), runspecDevice("/dev/kvm", 10, 232, mode, zero))
	return h
}

// Choices each byte of a fuzz input picks among: every spelling of the
// flags that decide privileges.
var (
	users    = []string{"", "0", "root", "toor", "0:0", "toor:1000", "1000:0", "1000", "app", "app:staff", "1000:50", "app:root", "65534:65534"}
	capNames = []string{"ALL", "all", "NET_RAW", "net_raw", "CAP_NET_RAW", "CHOWN", "cap_chown", "SYS_ADMIN", "cap_sys_admin", "NET_ADMIN", "NET_BIND_SERVICE", "SETUID", "SYS_PTRACE", "DAC_READ_SEARCH"}
	secOpts  = []string{
		"no-new-privileges", "no-new-privileges=true", "no-new-privileges=1", "no-new-privileges:true", "no-new-privileges:1",
		"no-new-privileges=false", "no-new-privileges:0", "no-new-privileges=TRUE", "no-new-privileges=t",
		"seccomp=unconfined", "seccomp=PROFILE", "seccomp:ALLOWALL",
	}
	volumes = []string{"/:/host", "/srv/data:/data:ro", "/var/run/docker.sock:/var/run/docker.sock", "/etc:/host-etc:ro", "/tmp/x:/x"}
	mountsF = []string{"type=bind,source=/etc,target=/e,readonly", "type=bind,source=/srv,target=/srv", "type=tmpfs,target=/cache"}
)

// drawOptions turns fuzz bytes into run flags: each pair of bytes is one
// flag and its value.
func drawOptions(data []byte, profile, allowAll string) (runspec.Options, []string) {
	var o runspec.Options
	var line []string
	pick := func(list []string, b byte) string { return list[int(b)%len(list)] }
	for i := 0; i+1 < len(data); i += 2 {
		v := data[i+1]
		switch data[i] % 13 {
		case 0:
			o.User = pick(users, v)
			line = append(line, "--user", o.User)
		case 1:
			o.CapAdd = append(o.CapAdd, pick(capNames, v))
			line = append(line, "--cap-add", o.CapAdd[len(o.CapAdd)-1])
		case 2:
			o.CapDrop = append(o.CapDrop, pick(capNames, v))
			line = append(line, "--cap-drop", o.CapDrop[len(o.CapDrop)-1])
		case 3:
			o.Privileged = v%2 == 0
			line = append(line, "--privileged="+map[bool]string{true: "true", false: "false"}[o.Privileged])
		case 4:
			o.ReadOnly = v%2 == 0
			line = append(line, "--read-only="+map[bool]string{true: "true", false: "false"}[o.ReadOnly])
		case 5:
			opt := strings.NewReplacer("PROFILE", profile, "ALLOWALL", allowAll).Replace(pick(secOpts, v))
			o.SecurityOpt = append(o.SecurityOpt, opt)
			line = append(line, "--security-opt", opt)
		case 6:
			o.PID = pick([]string{"", "host"}, v)
			line = append(line, "--pid", o.PID)
		case 7:
			o.IPC = pick([]string{"private", "host"}, v)
			line = append(line, "--ipc", o.IPC)
		case 8:
			o.Network = pick([]string{"none", "host"}, v)
			line = append(line, "--network", o.Network)
		case 9:
			o.Volumes = append(o.Volumes, pick(volumes, v))
			line = append(line, "-v", o.Volumes[len(o.Volumes)-1])
		case 10:
			o.Mounts = append(o.Mounts, pick(mountsF, v))
			line = append(line, "--mount", o.Mounts[len(o.Mounts)-1])
		case 11:
			o.Memory = pick([]string{"64m", "1g"}, v)
			line = append(line, "--memory", o.Memory)
		case 12:
			limit := int64(v%3) * 50
			o.PidsLimit = &limit
			line = append(line, "--pids-limit", string(rune('0'+v%3))+"0")
		}
	}
	if o.Network == "" {
		o.Network = "none"
	}
	return o, line
}

// verdict is the sorted IDs of the rules, among those that judge both
// inspect records and config.json, that w violates.
func verdict(w workload.Workload) []string {
	var rs []audit.Rule
	for _, r := range rules.All() {
		if r.AppliesTo(workload.KindOCI) && r.AppliesTo(workload.KindInspect) {
			rs = append(rs, r)
		}
	}
	ids := []string{}
	for _, f := range audit.Evaluate(rs, []workload.Workload{w}, audit.Settings{}) {
		ids = append(ids, f.Rule)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// FuzzInspectAgreesWithSpec draws run command lines and checks that
// ward check judges the container's record (what `ward inspect` prints)
// as it judges the config.json the runtime receives: the record's
// security fields are derived from that spec, never from the flags.
func FuzzInspectAgreesWithSpec(f *testing.F) {
	e := previewEngine(f)
	dir := f.TempDir()
	profile := filepath.Join(dir, "deny-ptrace.json")
	os.WriteFile(profile, []byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["ptrace"],"action":"SCMP_ACT_ERRNO"}]}`), 0o644)
	allowAll := filepath.Join(dir, "allow-all.json")
	os.WriteFile(allowAll, []byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`), 0o644)
	host := fixedHost()
	// Seeds: the three cases of issue 11 and their neighbours (each pair
	// of bytes is a flag kind, 0-12, and a value index).
	for _, seed := range [][]byte{
		{},
		{0, 3},                         // --user toor
		{0, 3, 2, 0, 4, 0, 5, 0},       // --user toor --cap-drop ALL --read-only --security-opt no-new-privileges
		{0, 5},                         // --user toor:1000
		{0, 4},                         // --user 0:0
		{0, 6},                         // --user 1000:0
		{0, 9, 2, 0, 4, 0, 5, 2},       // --user app:staff, hardened, no-new-privileges=1
		{5, 3}, {5, 4}, {5, 8}, {5, 5}, // no-new-privileges:true, :1, =t, =false
		{1, 0, 2, 2},             // --cap-add ALL --cap-drop NET_RAW
		{1, 1, 2, 8},             // --cap-add all --cap-drop cap_sys_admin
		{3, 0, 2, 0},             // --privileged --cap-drop ALL
		{2, 0, 1, 5},             // --cap-drop ALL --cap-add CHOWN
		{5, 9}, {5, 10}, {5, 11}, // seccomp unconfined, a profile, an allow-all profile
		{3, 0, 5, 10},              // --privileged with a profile
		{6, 1, 7, 1, 8, 1},         // host pid, ipc, network
		{9, 0, 9, 2, 10, 0, 10, 2}, // host paths, a socket, tmpfs
		{11, 0, 12, 1, 0, 7},       // limits, non-root
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 40 {
			data = data[:40]
		}
		o, line := drawOptions(data, profile, allowAll)
		o.Host = host
		p, err := e.Preview(engine.CreateRequest{Image: testImage, Run: o})
		if err != nil {
			return // a command line ward refuses (e.g. an unknown user) has nothing to judge
		}
		spec, err := json.Marshal(p.Spec)
		if err != nil {
			t.Fatal(err)
		}
		record, err := json.Marshal([]*record.Container{p.Record})
		if err != nil {
			t.Fatal(err)
		}
		fromSpec, err := workload.ReadOCIConfig("config.json", spec)
		if err != nil {
			t.Fatal(err)
		}
		fromRecord, err := workload.ReadInspect("inspect.json", record)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := verdict(fromRecord[0]), verdict(fromSpec[0]); !slices.Equal(got, want) {
			t.Errorf("ward run %s:\ninspect record judged %v\nconfig.json judged    %v\nrecord: %s", strings.Join(line, " "), got, want, record)
		}
	})
}

func runspecDevice(path string, major, minor int64, mode os.FileMode, id uint32) specs.LinuxDevice {
	return specs.LinuxDevice{Path: path, Type: "c", Major: major, Minor: minor, FileMode: &mode, UID: &id, GID: &id}
}
