package learn

import (
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestWritableDirs(t *testing.T) {
	mounts := []string{"/proc", "/dev", "/etc/hosts", "/etc/resolv.conf", "/run/secrets"}
	for _, tc := range []struct {
		name     string
		written  []string
		want     []string
		rootWrit bool
	}{
		{"nothing", nil, nil, false},
		{"mount points the runtime made", []string{"/etc/hosts", "/etc/resolv.conf", "/dev/null", "/run/secrets/x"}, nil, false},
		{"one directory", []string{"/var/cache/nginx/a", "/var/cache/nginx/b"}, []string{"/var/cache/nginx"}, false},
		{"nested collapse", []string{"/tmp/a", "/tmp/x/y/z", "/var/log/app.log"}, []string{"/tmp", "/var/log"}, false},
		{"siblings stay apart", []string{"/var/a/f", "/var/ab/f"}, []string{"/var/a", "/var/ab"}, false},
		{"a file under /", []string{"/tmp/a", "/pidfile"}, nil, true},
		{"an image directory emptied", []string{"/run/.", "/var/lib/nginx/body"}, []string{"/run", "/var/lib/nginx"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, root := writableDirs(tc.written, mounts)
			if !slices.Equal(got, tc.want) || root != tc.rootWrit {
				t.Errorf("writableDirs(%v) = %v, %v; want %v, %v", tc.written, got, root, tc.want, tc.rootWrit)
			}
		})
	}
}

func TestProfileFromRun(t *testing.T) {
	r := &Result{
		ImageID:  "sha256:abcd",
		Spec:     &specs.Spec{Process: &specs.Process{User: specs.User{UID: 1000, GID: 100}, Args: []string{"httpd"}}},
		Armed:    true,
		Syscalls: []uint32{0, 1, 43, 49, 50}, // read write accept bind listen
		Granted:  []uint32{10},               // CAP_NET_BIND_SERVICE
		Written:  []string{"/tmp/x"},
	}
	p, err := Profile(r, "curl")
	if err != nil {
		t.Fatal(err)
	}
	calls, err := p.AllowedSyscalls()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range append([]string{"read", "write", "accept", "bind", "listen"}, runtimeFloor...) {
		if !slices.Contains(calls, want) {
			t.Errorf("allow-list lacks %s: %v", want, calls)
		}
	}
	if slices.Contains(calls, "mount") || len(calls) != 5+len(runtimeFloor) {
		t.Errorf("allow-list %v: want exactly the observed calls and the runtime floor", calls)
	}
	if !slices.Equal(p.Capabilities, []string{"CAP_NET_BIND_SERVICE"}) || p.User != "1000:100" || !p.ReadOnlyRoot ||
		len(p.WritablePaths) != 1 || p.WritablePaths[0].Path != "/tmp" || p.Image != "sha256:abcd" {
		t.Errorf("profile %+v", p)
	}
	if p.WritablePaths[0].Exec {
		t.Error("/tmp is exec though nothing written there was executed")
	}
	// A file written there and executed makes it exec; one executed
	// but never written (the image's) does not.
	r.Executed = []string{"/bin/sh", "/usr/tmp/x"}
	if p, _ := Profile(r, ""); p.WritablePaths[0].Exec {
		t.Error("/tmp is exec though the executed files were not written there")
	}
	r.Executed = append(r.Executed, "/tmp/x")
	if p, _ := Profile(r, ""); !p.WritablePaths[0].Exec {
		t.Error("/tmp is noexec though the workload executed /tmp/x, which it wrote")
	}
	r.Armed = false
	if _, err := Profile(r, ""); err == nil {
		t.Error("a run whose exec was never seen gave a profile: never say clean about what was not seen")
	}
}

func TestPickUser(t *testing.T) {
	for passwd, want := range map[string]string{
		"root:x:0:0::/:/bin/sh\nwww:x:1000:1000::/:/bin/false\nnobody:x:65534:65534::/:/bin/false\n": "65534:65534",
		"root:x:0:0::/:/bin/sh\ndaemon:x:1:1::/:/bin/false\napp:x:1001:1001::/:/bin/false\n":         "1001:1001",
		"root:x:0:0::/:/bin/sh\n": "",
		"":                        "",
	} {
		if got := pickUser(passwd); got != want {
			t.Errorf("pickUser(%q) = %q, want %q", passwd, got, want)
		}
	}
}
