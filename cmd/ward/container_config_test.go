package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/runspec"
)

// TestImageConfigHonoured: the image's User, WorkingDir, Env, Entrypoint
// and Cmd apply unless flags override them.
func TestImageConfigHonoured(t *testing.T) {
	w := newWardEnv(t)
	tarPath := filepath.Join(t.TempDir(), "rootfs.tar")
	writeTar(t, busyboxDir(t), tarPath)
	w.must(t, "import", "--change", "USER 1000", "--change", "WORKDIR /tmp", "--change", "ENV A=from-image",
		"--change", `ENTRYPOINT ["sh", "-c"]`, "--change", `CMD ["id -u; pwd; echo $A"]`, tarPath, "configured")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"image config", nil, "1000\n/tmp\nfrom-image\n"},
		{"command replaces CMD", []string{"configured", "echo $A"}, "from-image\n"},
		{"flags override", []string{"-u", "0", "-w", "/", "-e", "A=flag", "configured"}, "0\n/\nflag\n"},
		{"entrypoint flag clears CMD", []string{"--entrypoint", "pwd", "configured"}, "/tmp\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if args == nil {
				args = []string{"configured"}
			}
			if got := w.must(t, append([]string{"run", "--rm"}, args...)...); got != tc.want {
				t.Errorf("output %q, want %q", got, tc.want)
			}
		})
	}
	// The record holds the user the spec runs: the image's 1000, with gid
	// 0 as busybox has no passwd entry for it.
	if got := w.inspectAfterRun(t, "configured"); got.Config.User != "1000:0" {
		t.Errorf("Config.User = %q, want the image's 1000 as 1000:0", got.Config.User)
	}
}

// TestPrivilegedWarns: --privileged on a host that cannot grant every
// capability runs, and says which ones are missing.
func TestPrivilegedWarns(t *testing.T) {
	w := newWardEnv(t)
	host, err := runspec.ProbeHost()
	if err != nil {
		t.Fatal(err)
	}
	missing := host.Unavailable()
	if len(missing) == 0 {
		t.Skip("this host grants every capability")
	}
	_, errOut, code := w.run(t, nil, "run", "--rm", "--privileged", "busybox", "true")
	if code != 0 || !strings.Contains(errOut, missing[0]) {
		t.Errorf("exit %d, stderr %q; want 0 and a warning naming %s", code, errOut, missing[0])
	}
}
