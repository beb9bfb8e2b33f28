package workload

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// want holds the facts a test asserts about one workload; zero values are
// asserted too, so each case states the full effective picture it cares for.
type want struct {
	resource    string
	line        int
	root        bool
	userLine    int
	privileged  bool
	hasCap      []string
	lacksCap    []string
	dropAll     bool
	nnp         bool
	seccomp     string
	readOnly    bool
	hostPID     bool
	hostNetwork bool
	binds       []string // host paths mounted
	memory      int64
	pids        int64
	image       string
}

func TestReaders(t *testing.T) {
	cases := []struct {
		file string
		kind Kind
		want []want
	}{
		{"Dockerfile.multistage", KindDockerfile, []want{{
			// The final stage derives from "base", whose USER 1000 it
			// inherits; the builder's USER does not count.
			resource: "stage 2", line: 10, root: false, userLine: 8, seccomp: SeccompDefault,
			hasCap: []string{"NET_RAW"},
		}}},
		{"Dockerfile.nouser", KindDockerfile, []want{{
			// USER app in the build stage does not reach the final stage.
			resource: "stage 1", line: 4, root: true, userLine: 4, seccomp: SeccompDefault,
			hasCap: []string{"NET_RAW"},
		}}},
		{"Containerfile.nonroot", KindDockerfile, []want{{
			resource: "stage 0", line: 1, root: false, userLine: 1, seccomp: SeccompDefault,
			hasCap: []string{"NET_RAW"},
		}}},
		{"cronjob.yaml", KindKubernetes, []want{
			{
				// The container sets runAsUser 0 over the pod's 1000.
				resource: "CronJob/nightly initContainer init", line: 22, root: true, userLine: 25,
				seccomp: SeccompDefault, hasCap: []string{"NET_RAW", "CHOWN"}, image: "busybox:1.36",
			},
			{
				// Pod-level runAsNonRoot, runAsUser and seccomp apply.
				resource: "CronJob/nightly container job", line: 27, root: false, userLine: 18,
				seccomp: SeccompDefault, dropAll: true, nnp: true, lacksCap: []string{"NET_RAW", "CHOWN"},
				binds: []string{"/etc"},
				image: "registry.example.com/job@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
			},
		}},
		{"list.yaml", KindKubernetes, []want{{
			// kubectl get -o yaml wraps objects in a List.
			resource: "Deployment/web container nginx", line: 17, root: true, userLine: 17, privileged: true,
			seccomp: SeccompUnconfined, hasCap: []string{"SYS_ADMIN"}, hostNetwork: true, image: "nginx:1.27",
		}}},
		{"compose.yaml", KindCompose, []want{
			{
				resource: "service web", line: 2, root: true, userLine: 2, seccomp: SeccompDefault,
				hasCap: []string{"NET_RAW"}, binds: []string{"/var/run/docker.sock"}, image: "nginx",
			},
			{
				resource: "service worker", line: 11, root: false, userLine: 13, seccomp: SeccompDefault,
				readOnly: true, dropAll: true, nnp: true, lacksCap: []string{"NET_RAW"},
				memory: 256 << 20, pids: 100, image: "app:1.0",
			},
		}},
		{"config.json", KindOCI, []want{{
			resource: "bundle testdata", line: 1, root: true, userLine: 4, seccomp: SeccompUnconfined,
			hasCap: []string{"SYS_ADMIN", "NET_RAW"}, lacksCap: []string{"SETUID"}, nnp: true, readOnly: true,
			// Two of Docker's 14 defaults left: ALL dropped, three added back.
			dropAll: true, hostNetwork: true, binds: []string{"/srv/data"},
		}}},
		{"inspect.json", KindInspect, []want{{
			resource: "container web", line: 2, root: true, userLine: 6, privileged: true, seccomp: SeccompUnconfined,
			hasCap: []string{"SYS_ADMIN"}, hostPID: true, hostNetwork: true, binds: []string{"/"}, image: "nginx:latest",
		}}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file)
			ws, kind, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if kind != tc.kind {
				t.Errorf("kind = %s, want %s", kind, tc.kind)
			}
			if len(ws) != len(tc.want) {
				t.Fatalf("got %d workloads, want %d: %+v", len(ws), len(tc.want), ws)
			}
			for i, w := range tc.want {
				checkWorkload(t, ws[i], w)
			}
		})
	}
}

func checkWorkload(t *testing.T, g Workload, w want) {
	t.Helper()
	eq := func(name string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s: %s = %v, want %v", w.resource, name, got, want)
		}
	}
	eq("resource", g.Resource, w.resource)
	eq("line", g.Line, w.line)
	eq("root", g.User.IsRoot(), w.root)
	eq("user line", g.LineOf(FieldUser), w.userLine)
	eq("privileged", g.Privileged, w.privileged)
	eq("dropAll", g.DropAll, w.dropAll)
	eq("noNewPrivileges", g.NoNewPrivileges, w.nnp)
	eq("seccomp", g.Seccomp, w.seccomp)
	eq("readOnly", g.ReadOnlyRootfs, w.readOnly)
	eq("hostPID", g.HostPID, w.hostPID)
	eq("hostNetwork", g.HostNetwork, w.hostNetwork)
	eq("memory", g.MemoryLimit, w.memory)
	eq("pids", g.PidsLimit, w.pids)
	eq("image", g.Image, w.image)
	for _, c := range w.hasCap {
		if !slices.Contains(g.Capabilities, c) {
			t.Errorf("%s: capabilities %v lack %s", w.resource, g.Capabilities, c)
		}
	}
	for _, c := range w.lacksCap {
		if slices.Contains(g.Capabilities, c) {
			t.Errorf("%s: capabilities %v hold %s", w.resource, g.Capabilities, c)
		}
	}
	var binds []string
	for _, m := range g.Mounts {
		if m.IsHostPath() {
			binds = append(binds, m.Source)
		}
	}
	if !slices.Equal(binds, w.binds) {
		t.Errorf("%s: host mounts %v, want %v", w.resource, binds, w.binds)
	}
}

func TestDetectByContent(t *testing.T) {
	cases := []struct {
		file string
		kind Kind
	}{
		{"Dockerfile.multistage", KindDockerfile},
		{"cronjob.yaml", KindKubernetes},
		{"compose.yaml", KindCompose},
		{"config.json", KindOCI},
		{"inspect.json", KindInspect},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			// A name that says nothing: only the content can tell.
			kind, ok := Detect("input.txt", data)
			if !ok || kind != tc.kind {
				t.Errorf("Detect = %q, %v; want %q", kind, ok, tc.kind)
			}
		})
	}
	if _, ok := Detect("notes.txt", []byte("hello\n")); ok {
		t.Error("plain text detected as an input kind")
	}
}

func TestEffectiveCapabilities(t *testing.T) {
	cases := []struct {
		name        string
		add, drop   []string
		wantLen     int
		wantDropAll bool
	}{
		{"docker default", nil, nil, 14, false},
		{"drop all add one", []string{"NET_BIND_SERVICE"}, []string{"ALL"}, 1, true},
		{"drop net_raw with prefix", nil, []string{"cap_net_raw"}, 13, false},
		{"add all", []string{"ALL"}, nil, len(AllCapabilities), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eff, _, dropAll := EffectiveCapabilities(tc.add, tc.drop)
			if len(eff) != tc.wantLen || dropAll != tc.wantDropAll {
				t.Errorf("got %v (dropAll %v), want %d capabilities (dropAll %v)", eff, dropAll, tc.wantLen, tc.wantDropAll)
			}
		})
	}
}

func TestParseImageRef(t *testing.T) {
	cases := []struct {
		ref                 string
		registry, repo, tag string
		digestSet           bool
	}{
		{"nginx", "docker.io", "library/nginx", "", false},
		{"nginx:1.27-alpine", "docker.io", "library/nginx", "1.27-alpine", false},
		{"localhost:5000/app:dev", "localhost:5000", "app", "dev", false},
		{"ghcr.io/org/app@sha256:abcd", "ghcr.io", "org/app", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.ref, func(t *testing.T) {
			r := ParseImageRef(tc.ref)
			if r.Registry != tc.registry || r.Repository != tc.repo || r.Tag != tc.tag || (r.Digest != "") != tc.digestSet {
				t.Errorf("got %+v", r)
			}
		})
	}
}

// A walk reads what it recognizes and skips the rest: unknown YAML, other
// files, hidden directories and unrendered templates.
func TestReadPathWalk(t *testing.T) {
	inputs, err := ReadPath(filepath.Join("testdata", "walk"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range inputs {
		if in.Err != nil {
			t.Errorf("%s: %v", in.File, in.Err)
		}
		rel, _ := filepath.Rel(filepath.Join("testdata", "walk"), in.File)
		got = append(got, rel+"="+string(in.Kind))
	}
	want := []string{"app/Containerfile=dockerfile", "app/pod.yml=kubernetes"}
	if !slices.Equal(got, want) {
		t.Errorf("read %v, want %v", got, want)
	}
}

// Broken inputs fail with an error naming the file, never a panic or an
// empty success.
func TestReadErrors(t *testing.T) {
	cases := []struct {
		name string
		read func(string, []byte) ([]Workload, error)
		data string
	}{
		{"dockerfile without FROM", ReadDockerfile, "RUN echo hi\n"},
		{"dockerfile unknown flag", ReadDockerfile, "FROM --bogus=1 alpine:3.20\n"},
		{"kubernetes bad yaml", ReadKubernetes, "apiVersion: v1\nkind: Pod\nspec: [\n"},
		{"kubernetes wrong type", ReadKubernetes, "apiVersion: v1\nkind: Pod\nspec:\n  containers: 3\n"},
		{"compose bad yaml", ReadCompose, "services:\n  web: [\n"},
		{"compose schema violation", ReadCompose, "services:\n  web:\n    privileged: maybe\n"},
		{"oci bad json", ReadOCIConfig, `{"ociVersion": `},
		{"inspect image output", ReadInspect, `[{"Id": "sha256:abc", "RepoTags": ["x:1"], "Config": {}}]`},
		{"inspect not an array", ReadInspect, `{"Id": "x"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ws, err := tc.read("input-file", []byte(tc.data))
			if err == nil {
				t.Fatalf("no error, %d workloads", len(ws))
			}
			if !strings.Contains(err.Error(), "input-file") {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
}
