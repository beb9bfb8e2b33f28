package dockerdiff

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testWardRefusesWhatDockerIgnores covers where ward does better on
// purpose: a named AppArmor profile or SELinux label on a host without
// that LSM. Docker 20.10 runs the container unconfined without a word;
// ward exits 125 naming what it cannot apply, and leaves no container
// behind. On a host with the LSM the case is skipped (only the refusal
// can be tested where it is missing).
func testWardRefusesWhatDockerIgnores(t *testing.T, e engines) {
	hasAppArmor := false
	if b, err := os.ReadFile("/sys/module/apparmor/parameters/enabled"); err == nil && strings.HasPrefix(string(b), "Y") {
		hasAppArmor = true
	}
	_, err := os.Stat("/sys/fs/selinux/enforce")
	hasSELinux := err == nil
	for _, c := range []struct {
		name, opt, lsm string
		present        bool
	}{
		{"apparmor profile", "apparmor=docker-default", "AppArmor", hasAppArmor},
		{"selinux label", "label=type:svirt_lxc_net_t", "SELinux", hasSELinux},
		{"selinux level", "label=level:s0:c100,c200", "SELinux", hasSELinux},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.present {
				t.Skipf("skipped: this host has %s, so the option applies", c.lsm)
			}
			args := []string{"run", "--rm", "--network", "none", "--security-opt", c.opt, image, "true"}
			want := run(nil, append(append([]string{}, e.docker...), args...)...)
			got := run(nil, append(append([]string{}, e.ward...), args...)...)
			if want.code != 0 {
				t.Errorf("docker (which ignores %s without %s): exit %d: %s", c.opt, c.lsm, want.code, want.stderr)
			}
			if got.code != 125 {
				t.Errorf("ward --security-opt %s: exit %d, want 125: %s", c.opt, got.code, got.stderr)
			}
			if line := strings.TrimSpace(got.stderr); strings.Count(line, "\n") != 0 || !strings.Contains(line, c.opt) || !strings.Contains(line, "no "+c.lsm) {
				t.Errorf("ward's error is not one line naming %s and %s: %q", c.opt, c.lsm, got.stderr)
			}
			if ps := run(nil, append(append([]string{}, e.ward...), "ps", "-aq")...); strings.TrimSpace(ps.stdout) != "" {
				t.Errorf("a refused run left containers behind: %q", ps.stdout)
			}
		})
	}
}

// testMissingDeviceIsWardsFailure: a --device the host lacks is the
// engine's failure, 125 under ward. Docker 20.10 exits 127, "command not
// found", because its client reads "no such file or directory" in the
// daemon's error as the command's.
func testMissingDeviceIsWardsFailure(t *testing.T, e engines) {
	args := []string{"run", "--rm", "--network", "none", "--device", "/dev/no-such-device", image, "true"}
	want := run(nil, append(append([]string{}, e.docker...), args...)...)
	got := run(nil, append(append([]string{}, e.ward...), args...)...)
	if want.code != 127 {
		t.Logf("docker: exit %d (was 127 in 20.10): %s", want.code, want.stderr)
	}
	if got.code != 125 || !strings.Contains(got.stderr, "/dev/no-such-device") {
		t.Errorf("ward: exit %d, want 125 naming the device: %s", got.code, got.stderr)
	}
}

// testSeccompProfileCheckedFirst: a profile that is valid JSON but names
// an action no kernel has is refused by ward with exit 125 before any
// container, snapshot or directory is made; Docker refuses it too.
func testSeccompProfileCheckedFirst(t *testing.T, e engines) {
	profile := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(profile, []byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["chmod"],"action":"SCMP_ACT_NOPE"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	wardRoot := e.ward[len(e.ward)-1]
	before := dirEntries(t, filepath.Join(wardRoot, "containers"))
	args := []string{"run", "--rm", "--network", "none", "--security-opt", "seccomp=" + profile, image, "true"}
	want := run(nil, append(append([]string{}, e.docker...), args...)...)
	got := run(nil, append(append([]string{}, e.ward...), args...)...)
	if want.code != 125 {
		t.Errorf("docker: exit %d, want 125: %s", want.code, want.stderr)
	}
	if got.code != 125 || !strings.Contains(got.stderr, "seccomp="+profile) {
		t.Errorf("ward: exit %d, want 125 naming the profile: %s", got.code, got.stderr)
	}
	if after := dirEntries(t, filepath.Join(wardRoot, "containers")); after != before {
		t.Errorf("containers directory was %q, is %q after a refused profile", before, after)
	}
}

func dirEntries(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}

// testDeviceRenamedAlike gives the host's /dev/loop0 (a block device no
// default rule allows) at another path, read-only in the device cgroup:
// the container sees the same node and the same outcome of a read and a
// write under both engines.
func testDeviceRenamedAlike(t *testing.T, e engines) {
	script := `ls -l /dev/myloop | cut -c1-10; stat -c '%t:%T %u:%g' /dev/myloop; ` +
		`if head -c 1 /dev/myloop >/dev/null; then echo read ok; else echo read fails; fi; ` +
		`if echo x > /dev/myloop; then echo write ok; else echo write fails; fi`
	var outs [2]outcome
	for i, engine := range [][]string{e.docker, e.ward} {
		outs[i] = run(nil, append(slices.Clone(engine), "run", "--rm", "--network", "none", "--device", "/dev/loop0:/dev/myloop:r", image, "sh", "-c", script)...)
	}
	if outs[0].code != 0 || outs[1].code != 0 || outs[0].stdout != outs[1].stdout {
		t.Errorf("docker: exit %d %q %q\nward:   exit %d %q %q", outs[0].code, outs[0].stdout, outs[0].stderr, outs[1].code, outs[1].stdout, outs[1].stderr)
	}
	if !strings.HasPrefix(outs[1].stdout, "brw") || !strings.Contains(outs[1].stdout, "7:0 0:0\n") || !strings.Contains(outs[1].stdout, "write fails") {
		t.Errorf("ward: %q, want loop0's block node and the write refused", outs[1].stdout)
	}
}
