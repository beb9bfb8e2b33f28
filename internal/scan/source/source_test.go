package source

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/wardproject/ward/internal/image/imagetar/imagetartest"
)

func TestCleanPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"etc/os-release", "etc/os-release"},
		{"./etc/os-release", "etc/os-release"},
		{"/etc/os-release", "etc/os-release"},
		{"../../etc/passwd", "etc/passwd"},
		{"a/../../b", "b"},
		{"a//b/./c/", "a/b/c"},
		{"..", ""},
		{"./", ""},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := CleanPath(tc.in); got != tc.want {
				t.Errorf("CleanPath(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestWhiteout(t *testing.T) {
	tests := []struct {
		in, path         string
		whiteout, opaque bool
	}{
		{"usr/bin/.wh.tool", "usr/bin/tool", true, false},
		{"var/lib/dpkg/status.d/.wh..wh..opq", "var/lib/dpkg/status.d", false, true},
		{"etc/motd", "etc/motd", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			e := Entry{Path: tc.in}
			whiteout(&e)
			if e.Path != tc.path || e.Whiteout != tc.whiteout || e.Opaque != tc.opaque {
				t.Errorf("got %+v", e)
			}
		})
	}
}

type tmember struct{ name, body string }

func tarOf(t *testing.T, ms ...tmember) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range ms {
		tw.WriteHeader(&tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(m.body))
	}
	tw.Close()
	return buf.Bytes()
}

func writeTemp(t *testing.T, b []byte) string {
	p := filepath.Join(t.TempDir(), "archive")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestOpenArchiveKinds(t *testing.T) {
	layer := string(tarOf(t, tmember{"etc/hostname", "x\n"}))
	// The config vouches for the uncompressed layer, which the walk checks.
	diffIDs := jsonOf(map[string]any{"rootfs": map[string]any{"diff_ids": []string{imagetartest.Digest([]byte(layer))}}})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(layer))
	zw.Close()
	docker := tarOf(t,
		tmember{"manifest.json", jsonOf([]any{map[string]any{"Config": "cfg.json", "RepoTags": []string{"example.com/app:1"}, "Layers": []string{"l0/layer.tar"}}})},
		tmember{"cfg.json", diffIDs},
		tmember{"l0/layer.tar", layer})
	zenc, _ := zstd.NewWriter(nil)
	zlayer := string(zenc.EncodeAll([]byte(layer), nil))
	dockerZstd := tarOf(t,
		tmember{"manifest.json", jsonOf([]any{map[string]any{"Config": "cfg.json", "RepoTags": []string{"example.com/app:zstd"}, "Layers": []string{"l0/layer.tar.zst"}}})},
		tmember{"cfg.json", diffIDs},
		tmember{"l0/layer.tar.zst", zlayer})
	tests := []struct {
		name    string
		archive []byte
		kind    string
		layers  int
		errText string
		names   string // the references recorded, comma-separated
	}{
		{"rootfs tarball", []byte(layer), "rootfs-tar", 1, "", ""},
		{"gzip rootfs tarball", gz.Bytes(), "rootfs-tar", 1, "", ""},
		{"docker-save", docker, "docker-archive", 1, "", "example.com/app:1"},
		{"docker-save with missing layer", tarOf(t,
			tmember{"manifest.json", jsonOf([]any{map[string]any{"Config": "cfg.json", "Layers": []string{"../../etc/passwd"}}})},
			tmember{"cfg.json", `{}`}), "", 0, "missing from archive", ""},
		{"zstd rootfs tarball", []byte(zlayer), "rootfs-tar", 1, "", ""},
		{"docker-save with a zstd layer", dockerZstd, "docker-archive", 1, "", "example.com/app:zstd"},
		{"oci without manifest blob", tarOf(t, tmember{"oci-layout", `{}`}, tmember{"index.json", `{"manifests":[{"digest":"sha256:bbbb"}]}`}), "", 0, "missing from archive", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := OpenArchive(writeTemp(t, tc.archive))
			if tc.errText != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errText) {
					t.Fatalf("err = %v, want %q", err, tc.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if a.Kind() != tc.kind || len(a.Layers()) != tc.layers {
				t.Fatalf("kind %s with %d layers, want %s with %d", a.Kind(), len(a.Layers()), tc.kind, tc.layers)
			}
			// An image archive keeps its config for ward check; a rootfs has none.
			if (a.Config() != nil) != (tc.kind != "rootfs-tar") || strings.Join(a.Names(), ",") != tc.names {
				t.Errorf("config %q, names %v, want names %q", a.Config(), a.Names(), tc.names)
			}
			var paths []string
			if err := a.Layers()[0].Walk(func(e Entry) error { paths = append(paths, e.Path); return nil }); err != nil {
				t.Fatal(err)
			}
			if strings.Join(paths, ",") != "etc/hostname" {
				t.Errorf("layer entries %v, want etc/hostname", paths)
			}
		})
	}
}

func TestDirSymlinkedRootAndLinksInside(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "rootfs")
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/hostname"), []byte("x\n"), 0o644)
	os.Symlink("/etc/passwd", filepath.Join(root, "etc/passwd"))
	link := filepath.Join(base, "link")
	os.Symlink(root, link)
	d, err := OpenDir(link)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Entry{}
	d.Layers()[0].Walk(func(e Entry) error { got[e.Path] = e; return nil })
	if e, ok := got["etc/hostname"]; !ok || e.Open == nil {
		t.Errorf("etc/hostname not walked through the symlinked root: %v", got)
	}
	if e := got["etc/passwd"]; e.Open != nil || e.Linkname != "/etc/passwd" {
		t.Errorf("symlink inside the rootfs is openable: %+v", e)
	}
}

// TestArchiveRefusesHostile runs the hostile archives every reader of
// archives refuses (imagetartest.Hostile) through OpenArchive: what ward
// load refuses, ward scan and ward check refuse too, with the same words.
func TestArchiveRefusesHostile(t *testing.T) {
	for _, tc := range imagetartest.Hostile() {
		t.Run(tc.Name, func(t *testing.T) {
			a, err := OpenArchive(writeTemp(t, tc.Archive))
			if err == nil {
				a.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tc.Err) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want one line containing %q", err, tc.Err)
			}
		})
	}
}

// TestArchiveFollowsDocker25Links reads an archive as Docker 25+ saves it
// (layers at blobs/sha256/, manifest.json naming legacy <id>/layer.tar
// symlinks) and as an OCI layout: the same layers, named by diff ID.
func TestArchiveFollowsDocker25Links(t *testing.T) {
	l0, l1 := imagetartest.Layer("etc/hostname", "box\n"), imagetartest.Layer("etc/motd", "hi\n")
	for kind, data := range map[string][]byte{
		"docker-archive": imagetartest.Tar(imagetartest.DockerSaveMembers("example.com/app:1", l0, l1)...),
		"oci-archive":    imagetartest.Tar(imagetartest.OCIMembers("example.com/app:1", l0, l1)...),
	} {
		t.Run(kind, func(t *testing.T) {
			a, err := OpenArchive(writeTemp(t, data))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if a.Kind() != kind || strings.Join(a.Names(), ",") != "example.com/app:1" || len(a.Layers()) != 2 {
				t.Fatalf("kind %s, names %v, %d layers", a.Kind(), a.Names(), len(a.Layers()))
			}
			for i, want := range []string{"etc/hostname", "etc/motd"} {
				l := a.Layers()[i]
				var paths []string
				if err := l.Walk(func(e Entry) error { paths = append(paths, e.Path); return nil }); err != nil {
					t.Fatal(err)
				}
				if l.Digest() != imagetartest.Digest([][]byte{l0, l1}[i]) || strings.Join(paths, ",") != want {
					t.Errorf("layer %d: %s with %v, want %v", i, l.Digest(), paths, want)
				}
			}
		})
	}
}

// TestArchiveLayerMustMatchItsDiffID swaps a layer's content for another
// valid layer (plain in a docker-save archive, gzip in an OCI layout, whose
// blob digest is left to match): the walk sees the entries but ends with
// an error, so nothing is reported clean about content the image's config
// does not vouch for.
func TestArchiveLayerMustMatchItsDiffID(t *testing.T) {
	good, other := imagetartest.Layer("etc/hostname", "box\n"), imagetartest.Layer("etc/hostname", "evil\n")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(other)
	zw.Close()
	ociMembers := imagetartest.OCIMembers("example.com/app:1", good)
	// The manifest names the gzip blob of other; the config still vouches for good.
	cfg := imagetartest.Config(good)
	m := imagetartest.Manifest(cfg, []map[string]any{{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": imagetartest.Digest(gz.Bytes()), "size": gz.Len()}})
	ociMembers = imagetartest.Replace(ociMembers, "index.json", imagetartest.Member{Name: "index.json", Data: imagetartest.Index(imagetartest.Digest(m), "application/vnd.oci.image.manifest.v1+json", "")})
	ociMembers = append(ociMembers,
		imagetartest.Member{Name: "blobs/sha256/" + strings.TrimPrefix(imagetartest.Digest(m), "sha256:"), Data: m},
		imagetartest.Member{Name: "blobs/sha256/" + strings.TrimPrefix(imagetartest.Digest(gz.Bytes()), "sha256:"), Data: gz.Bytes()})
	docker := imagetartest.DockerSaveMembers("example.com/app:1", good)
	blob := "blobs/sha256/" + strings.TrimPrefix(imagetartest.Digest(good), "sha256:")
	docker = imagetartest.Replace(docker, blob, imagetartest.Member{Name: blob, Data: other})
	for name, data := range map[string][]byte{"docker-save": imagetartest.Tar(docker...), "oci": imagetartest.Tar(ociMembers...)} {
		t.Run(name, func(t *testing.T) {
			a, err := OpenArchive(writeTemp(t, data))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			err = a.Layers()[0].Walk(func(Entry) error { return nil })
			if err == nil || !strings.Contains(err.Error(), "diff ID mismatch") || !strings.Contains(err.Error(), imagetartest.Digest(other)) {
				t.Fatalf("walk of a swapped layer: %v, want a diff ID mismatch naming %s", err, imagetartest.Digest(other))
			}
		})
	}
}

// TestArchivePlatform: in a multi-platform OCI archive the scanner reads
// the image for the platform ward runs (what ward load stores), wherever
// the index lists it; an archive with no image for it is still scanned,
// its first image.
func TestArchivePlatform(t *testing.T) {
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	mine, theirs := imagetartest.Layer("arch", runtime.GOARCH), imagetartest.Layer("arch", other)
	tests := []struct {
		name   string
		images []imagetartest.ForPlatform
		want   []byte
	}{
		{"this platform second", []imagetartest.ForPlatform{{OS: "linux", Arch: other, Layer: theirs}, {OS: "linux", Arch: runtime.GOARCH, Layer: mine}}, mine},
		{"this platform first", []imagetartest.ForPlatform{{OS: "linux", Arch: runtime.GOARCH, Layer: mine}, {OS: "linux", Arch: other, Layer: theirs}}, mine},
		{"no image for this platform", []imagetartest.ForPlatform{{OS: "linux", Arch: other, Layer: theirs}, {OS: "windows", Arch: runtime.GOARCH, Layer: imagetartest.Layer("arch", "windows")}}, theirs},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := OpenArchive(writeTemp(t, imagetartest.Tar(imagetartest.MultiPlatform("example.com/multi:1", tc.images...)...)))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if len(a.Layers()) != 1 || a.Layers()[0].Digest() != imagetartest.Digest(tc.want) {
				t.Fatalf("layers %v, want the one of digest %s", a.Layers(), imagetartest.Digest(tc.want))
			}
			if err := a.Layers()[0].Walk(func(Entry) error { return nil }); err != nil {
				t.Error(err)
			}
		})
	}
}
