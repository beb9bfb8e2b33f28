package runspec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/ociruntime"
	"github.com/wardproject/ward/internal/testutil"
)

// probe prints what a container sees of its own privileges.
const probe = `grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/self/status; ` +
	`echo "hostname=$(hostname)"; echo "id=$(id)"; echo "cwd=$(pwd)"; ` +
	`echo "env=$(env | sort | tr '\n' ' ')"; ` +
	`touch /rootfs-write 2>/dev/null && echo root=rw || echo root=ro; ` +
	`touch /tmp/x 2>/dev/null && echo tmp=rw || echo tmp=ro; ` +
	`test -c /proc/keys && echo keys=masked || echo keys=visible; ` +
	`(echo ward > /proc/sys/kernel/domainname) 2>/dev/null && echo procsys=rw || echo procsys=ro`

// TestBuiltSpecsRun runs specs Build made through ward-runtime and runc
// and checks that both show the container the same privileges, and the
// ones Docker's defaults give.
func TestBuiltSpecsRun(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.RequireStaticBusybox(t)
	if _, err := os.Stat("/usr/sbin/runc"); err != nil {
		t.Skip("skipped: runc is not installed (apt-get install runc; CI installs it)")
	}
	wardBin, err := testutil.BuildBinary(t.TempDir(), "ward-runtime")
	if err != nil {
		t.Fatalf("build ward-runtime: %v", err)
	}

	for _, tc := range []struct {
		name string
		o    Options
		want []string // lines the probe must print
	}{
		{name: "default", o: Options{},
			want: []string{"CapEff:\t00000000a80425fb", "CapBnd:\t00000000a80425fb", "NoNewPrivs:\t0", "Seccomp:\t2",
				"id=uid=0(root) gid=0(root) groups=0(root)\n", "root=rw", "keys=masked", "procsys=ro", "cwd=/"}},
		{name: "user nobody with NET_ADMIN", o: Options{User: "nobody", CapAdd: []string{"net_admin"}},
			want: []string{"CapEff:\t0000000000000000", "CapPrm:\t0000000000000000", "CapBnd:\t00000000a80435fb", "HOME=/ ",
				"id=uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n"}},
		{name: "drop ALL add NET_BIND_SERVICE", o: Options{CapDrop: []string{"ALL"}, CapAdd: []string{"NET_BIND_SERVICE"}},
			want: []string{"CapEff:\t0000000000000400", "CapBnd:\t0000000000000400"}},
		{name: "read-only, tmpfs, no-new-privileges, unconfined", o: Options{ReadOnly: true, Tmpfs: []string{"/tmp"}, SecurityOpt: []string{"no-new-privileges", "seccomp=unconfined"}},
			want: []string{"NoNewPrivs:\t1", "Seccomp:\t0", "root=ro", "tmp=rw"}},
		{name: "privileged", o: Options{Privileged: true, Hostname: "priv", Workdir: "/tmp", Env: []string{"A=1"}},
			want: []string{"Seccomp:\t0", "keys=visible", "procsys=rw", "hostname=priv", "cwd=/tmp", "A=1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outputs := map[string]string{}
			for _, rt := range []struct{ name, path string }{{"ward-runtime", wardBin}, {"runc", "/usr/sbin/runc"}} {
				outputs[rt.name] = runProbe(t, &ociruntime.Runtime{Path: rt.path, Root: filepath.Join(t.TempDir(), "root")}, tc.o)
			}
			// Both set HOME from the container's /etc/passwd when the spec
			// has none (Docker relies on that): the outputs match whole.
			if outputs["ward-runtime"] != outputs["runc"] {
				t.Errorf("ward-runtime and runc differ:\nward-runtime:\n%s\nrunc:\n%s", outputs["ward-runtime"], outputs["runc"])
			}
			for _, w := range tc.want {
				if !strings.Contains(outputs["ward-runtime"], w) {
					t.Errorf("ward-runtime output lacks %q:\n%s", w, outputs["ward-runtime"])
				}
			}
		})
	}
}

// runProbe builds a spec for o in a busybox bundle, runs the probe in it
// and returns what it printed.
func runProbe(t *testing.T, r *ociruntime.Runtime, o Options) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bundle := testutil.Bundle(t, []string{"true"}, nil)
	rootfs := filepath.Join(bundle, "rootfs")
	id := fmt.Sprintf("runspec%d", time.Now().UnixNano())
	o.Cmd = []string{"sh", "-c", probe}
	o.Host = nil
	s, err := Build(o, rootfs, id)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	testutil.WriteSpec(t, bundle, s)

	rd, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(rd)
		done <- string(b)
	}()
	defer func() {
		if err := r.Delete(context.Background(), id, true); err != nil && !errors.Is(err, ociruntime.ErrNotFound) {
			t.Errorf("Delete: %v", err)
		}
	}()
	err = r.Create(ctx, id, bundle, ociruntime.CreateOpts{Stdio: ociruntime.Stdio{Stdout: wr, Stderr: wr}})
	wr.Close()
	if err != nil {
		t.Fatalf("%s create: %v", filepath.Base(r.Path), err)
	}
	if err := r.Start(ctx, id); err != nil {
		t.Fatalf("%s start: %v", filepath.Base(r.Path), err)
	}
	select {
	case out := <-done:
		return out
	case <-ctx.Done():
		t.Fatalf("%s: the probe did not finish", filepath.Base(r.Path))
		return ""
	}
}
