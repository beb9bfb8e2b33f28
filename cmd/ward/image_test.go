package main

import (
	"archive/tar"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/testutil"
)

// ward runs image verbs in-process against the root dir, feeding stdin.
func ward(t *testing.T, root string, stdin io.Reader, args ...string) (string, error) {
	t.Helper()
	t.Setenv("WARD_ROOT", root)
	cmd := &cobra.Command{Use: "ward", SilenceUsage: true, SilenceErrors: true}
	cmd.AddCommand(newImageCommands()...)
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(io.Discard)
	if stdin != nil {
		cmd.SetIn(stdin)
	}
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

func mustWard(t *testing.T, root string, args ...string) string {
	t.Helper()
	out, err := ward(t, root, nil, args...)
	if err != nil {
		t.Fatalf("ward %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// importTar is a root filesystem with a setuid binary and a file
// capability, written to a file.
func importTar(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range []*tar.Header{
		{Name: "bin/", Typeflag: tar.TypeDir, Mode: 0o755},
		{Name: "bin/su", Typeflag: tar.TypeReg, Mode: 0o4755, Size: 2},
		{Name: "bin/ping", Typeflag: tar.TypeReg, Mode: 0o755, Size: 2, Format: tar.FormatPAX,
			PAXRecords: map[string]string{"SCHILY.xattr.security.capability": "\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"}},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(make([]byte, h.Size))
	}
	tw.Close()
	p := filepath.Join(t.TempDir(), "rootfs.tar")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func inspectOne(t *testing.T, root, what string) inspectedImage {
	t.Helper()
	var got []inspectedImage
	if err := json.Unmarshal([]byte(mustWard(t, root, "image", "inspect", what)), &got); err != nil || len(got) != 1 {
		t.Fatalf("image inspect %s: %v %v", what, got, err)
	}
	return got[0]
}

func TestImageVerbs(t *testing.T) {
	root := t.TempDir()
	tarPath := importTar(t)
	id := strings.TrimSpace(mustWard(t, root, "import", "-c", `CMD ["/bin/su"]`, "-c", "USER 1000", "-c", "ENV A=1", tarPath, "local/app:1.0"))
	if !strings.HasPrefix(id, "sha256:") {
		t.Fatalf("import printed %q, want an image ID", id)
	}
	data, _ := os.ReadFile(tarPath)
	id2out, err := ward(t, root, bytes.NewReader(data), "import", "-", "other")
	if err != nil {
		t.Fatal(err)
	}
	id2 := strings.TrimSpace(id2out)

	t.Run("images", func(t *testing.T) {
		out := mustWard(t, root, "images")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[0], "REPOSITORY") {
			t.Fatalf("images:\n%s", out)
		}
		if !strings.Contains(out, "local/app") || !strings.Contains(out, "1.0") || !strings.Contains(out, id[7:19]) {
			t.Errorf("images does not list local/app:1.0 %s:\n%s", id[7:19], out)
		}
		q := strings.Fields(mustWard(t, root, "images", "-q"))
		if len(q) != 2 {
			t.Errorf("images -q = %v, want two IDs", q)
		}
	})
	t.Run("inspect", func(t *testing.T) {
		got := inspectOne(t, root, "local/app:1.0")
		if got.ID != id || got.Os != "linux" || got.Config.User != "1000" ||
			strings.Join(got.Config.Cmd, " ") != "/bin/su" || strings.Join(got.Config.Env, " ") != "A=1" ||
			len(got.RootFS.Layers) != 1 || len(got.RepoTags) != 1 || got.RepoTags[0] != "local/app:1.0" {
			t.Errorf("inspect = %+v", got)
		}
		out, err := ward(t, root, nil, "image", "inspect", "absent:1")
		if err == nil || cli.ExitCode(err) != 1 || strings.TrimSpace(out) != "[]" {
			t.Errorf("inspect of an absent image: out %q, err %v (exit %d), want [] and exit 1", out, err, cli.ExitCode(err))
		}
	})
	t.Run("tag and rmi", func(t *testing.T) {
		mustWard(t, root, "tag", "local/app:1.0", "local/app:latest")
		if got := inspectOne(t, root, "local/app"); got.ID != id || len(got.RepoTags) != 2 {
			t.Errorf("after tag: %+v", got)
		}
		if _, err := ward(t, root, nil, "rmi", id[7:19]); err == nil {
			t.Errorf("rmi by ID of an image with two tags succeeded without -f")
		}
		if out := mustWard(t, root, "rmi", "local/app:latest"); !strings.Contains(out, "Untagged: local/app:latest") || strings.Contains(out, "Deleted") {
			t.Errorf("rmi of one of two tags: %q", out)
		}
		if out := mustWard(t, root, "rmi", "other"); !strings.Contains(out, "Deleted: "+id2) {
			t.Errorf("rmi of the last tag: %q", out)
		}
		if _, err := ward(t, root, nil, "image", "inspect", id2); cli.ExitCode(err) != 1 {
			t.Errorf("removed image still inspects: %v", err)
		}
	})
	t.Run("save and load", func(t *testing.T) {
		archive := filepath.Join(t.TempDir(), "save.tar")
		mustWard(t, root, "save", "-o", archive, "local/app:1.0")
		other := t.TempDir()
		out := mustWard(t, other, "load", "-i", archive)
		if !strings.Contains(out, "Loaded image: local/app:1.0") {
			t.Errorf("load printed %q", out)
		}
		if got := inspectOne(t, other, "local/app:1.0"); got.ID != id {
			t.Errorf("loaded image ID %s, saved %s", got.ID, id)
		}
		// From standard input too.
		data, _ := os.ReadFile(archive)
		third := t.TempDir()
		if _, err := ward(t, third, bytes.NewReader(data), "load"); err != nil {
			t.Fatal(err)
		}
		if got := inspectOne(t, third, id[7:19]); got.ID != id {
			t.Errorf("loaded from stdin: %s", got.ID)
		}
	})
	t.Run("load refuses a non-archive", func(t *testing.T) {
		if _, err := ward(t, t.TempDir(), nil, "load", "-i", tarPath); err == nil || !strings.Contains(err.Error(), "neither") {
			t.Errorf("load of a rootfs tar: %v", err)
		}
	})
}

func TestPullPush(t *testing.T) {
	const user, pass = "ward", "pw"
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	cfgDir := t.TempDir()
	cfg := fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, host, base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
	if err := os.WriteFile(filepath.Join(cfgDir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", cfgDir)

	src := t.TempDir()
	ref := host + "/team/app:v1"
	id := strings.TrimSpace(mustWard(t, src, "import", importTar(t), ref))
	if out := mustWard(t, src, "push", ref); !strings.Contains(out, "v1: digest: sha256:") {
		t.Errorf("push printed %q", out)
	}
	dst := t.TempDir()
	if out := mustWard(t, dst, "pull", ref); !strings.Contains(out, ref) {
		t.Errorf("pull printed %q", out)
	}
	got := inspectOne(t, dst, ref)
	if got.ID != id || len(got.RepoDigests) != 1 || !strings.HasPrefix(got.RepoDigests[0], host+"/team/app@sha256:") {
		t.Errorf("pulled image: %+v", got)
	}
	if _, err := ward(t, dst, nil, "pull", host+"/team/absent:v1"); err == nil || cli.ExitCode(err) != 1 {
		t.Errorf("pull of an absent image: %v", err)
	}
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	if _, err := ward(t, t.TempDir(), nil, "pull", ref); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("pull without credentials: %v, want 401", err)
	}
}

// TestRmiPrunesLayers checks that removing an image removes its unpacked
// layers once no container uses them.
func TestRmiPrunesLayers(t *testing.T) {
	testutil.RequireRoot(t)
	root := t.TempDir()
	mustWard(t, root, "import", importTar(t), "app:1")
	s, err := open.Images(cli.Layout())
	if err != nil {
		t.Fatal(err)
	}
	sn, err := open.Snapshotter(cli.Layout(), s)
	if err != nil {
		t.Fatal(err)
	}
	img, err := s.Get("app:1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sn.Prepare("c1", img.ID.String()); err != nil {
		t.Fatal(err)
	}
	layerDir := filepath.Join(root, "layers", img.Layers[0].ChainID.Hex)
	if _, err := os.Stat(layerDir); err != nil {
		t.Fatalf("layer not unpacked: %v", err)
	}
	// A container still uses the layer: the image goes, the layer stays.
	mustWard(t, root, "rmi", "app:1")
	if _, err := os.Stat(layerDir); err != nil {
		t.Errorf("layer in use was pruned: %v", err)
	}
	if err := sn.Remove("c1"); err != nil {
		t.Fatal(err)
	}
	mustWard(t, root, "import", importTar(t), "other:1") // the same layer, in a new image
	mustWard(t, root, "rmi", "other:1")
	if _, err := os.Stat(layerDir); !os.IsNotExist(err) {
		t.Errorf("unused layer kept: %v", err)
	}
}
