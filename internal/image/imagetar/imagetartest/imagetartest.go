// Package imagetartest builds image archives for tests: well-formed
// docker-save and OCI layout archives, and a table of hostile ones that
// every reader of archives (internal/image/imagetar, the image store's
// load, the scanner's archive source) must refuse with the same one-line
// error.
package imagetartest

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// Member is one entry of a tar this package writes: a regular file
// unless Type says otherwise.
type Member struct {
	Name string
	Data []byte
	Type byte   // tar.TypeReg when 0
	Link string // for symlinks and hard links
}

// Tar writes members, in order, as a tar.
func Tar(members ...Member) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		h := &tar.Header{Name: m.Name, Typeflag: m.Type, Linkname: m.Link, Mode: 0o644}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(m.Data))
		}
		if h.Typeflag == tar.TypeChar {
			h.Devmajor, h.Devminor = 1, 3
		}
		if err := tw.WriteHeader(h); err != nil {
			panic(err)
		}
		tw.Write(m.Data)
	}
	tw.Close()
	return buf.Bytes()
}

// Digest is the sha256 digest of data, as "sha256:<hex>".
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func hexOf(digest string) string { return strings.TrimPrefix(digest, "sha256:") }

// Layer is a one-file layer tar: file holds content.
func Layer(file, content string) []byte {
	return Tar(Member{Name: file, Data: []byte(content)})
}

// Config is an image config whose diff IDs are those of layers.
func Config(layers ...[]byte) []byte {
	var diffs []string
	for _, l := range layers {
		diffs = append(diffs, Digest(l))
	}
	cfg, _ := json.Marshal(map[string]any{"architecture": "amd64", "os": "linux",
		"config": map[string]any{"Cmd": []string{"/bin/sh"}},
		"rootfs": map[string]any{"type": "layers", "diff_ids": diffs}})
	return cfg
}

// DockerSaveMembers are the members `docker save` (25+) writes for an
// image of plain layers tagged tag: blobs under blobs/sha256/, reached
// from manifest.json through legacy <n>/layer.tar symlinks.
func DockerSaveMembers(tag string, layers ...[]byte) []Member {
	cfg := Config(layers...)
	var ms []Member
	var paths []string
	for i, l := range layers {
		ms = append(ms, Member{Name: "blobs/sha256/" + hexOf(Digest(l)), Data: l})
		legacy := fmt.Sprintf("legacy%d/layer.tar", i)
		ms = append(ms, Member{Name: legacy, Type: tar.TypeSymlink, Link: "../blobs/sha256/" + hexOf(Digest(l))})
		paths = append(paths, legacy)
	}
	ms = append(ms, Member{Name: "blobs/sha256/" + hexOf(Digest(cfg)), Data: cfg})
	ms = append(ms, Member{Name: "manifest.json", Data: SaveManifest("blobs/sha256/"+hexOf(Digest(cfg)), tag, paths...)})
	return ms
}

// SaveManifest is a docker-save manifest.json for one image.
func SaveManifest(config, tag string, layers ...string) []byte {
	e := map[string]any{"Config": config, "Layers": layers}
	if tag != "" {
		e["RepoTags"] = []string{tag}
	}
	b, _ := json.Marshal([]any{e})
	return b
}

// OCIMembers are the members of an OCI image layout holding one image of
// uncompressed layers, named ref in index.json.
func OCIMembers(ref string, layers ...[]byte) []Member {
	cfg := Config(layers...)
	var descs []map[string]any
	ms := []Member{{Name: "oci-layout", Data: []byte(`{"imageLayoutVersion":"1.0.0"}`)}}
	for _, l := range layers {
		descs = append(descs, map[string]any{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": Digest(l), "size": len(l)})
		ms = append(ms, Member{Name: "blobs/sha256/" + hexOf(Digest(l)), Data: l})
	}
	manifest := Manifest(cfg, descs)
	ms = append(ms,
		Member{Name: "blobs/sha256/" + hexOf(Digest(cfg)), Data: cfg},
		Member{Name: "blobs/sha256/" + hexOf(Digest(manifest)), Data: manifest},
		Member{Name: "index.json", Data: Index(Digest(manifest), "application/vnd.oci.image.manifest.v1+json", ref)})
	return ms
}

// Manifest is an OCI image manifest of config and layer descriptors.
func Manifest(cfg []byte, layers []map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": Digest(cfg), "size": len(cfg)},
		"layers": layers})
	return b
}

// Index is an OCI index of one manifest, named ref when ref is not "".
func Index(digest, mediaType, ref string) []byte {
	d := map[string]any{"mediaType": mediaType, "digest": digest, "size": 1}
	if ref != "" {
		d["annotations"] = map[string]string{"org.opencontainers.image.ref.name": ref}
	}
	b, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []any{d}})
	return b
}

// Replace returns members with the one named name swapped for m (or
// dropped when m.Name is ""), and m appended when no member has that name.
func Replace(members []Member, name string, m Member) []Member {
	var out []Member
	found := false
	for _, x := range members {
		if x.Name == name {
			found = true
			if m.Name != "" {
				out = append(out, m)
			}
			continue
		}
		out = append(out, x)
	}
	if !found && m.Name != "" {
		out = append(out, m)
	}
	return out
}

// Case is a hostile archive and the text the one-line error refusing it
// contains.
type Case struct {
	Name    string
	Archive []byte
	Err     string
}

// MaxMetadata mirrors imagetar.MaxMetadata (this package must not import
// what it tests).
const MaxMetadata = 16 << 20

// Hostile lists archives every reader refuses when it resolves the
// archive's first image, before any layer content is read.
func Hostile() []Case {
	layer := Layer("etc/hostname", "box\n")
	cfg := Config(layer)
	cfgName := "blobs/sha256/" + hexOf(Digest(cfg))
	docker := DockerSaveMembers("hostile:v1", layer)
	withManifest := func(m []byte) []byte {
		return Tar(Replace(docker, "manifest.json", Member{Name: "manifest.json", Data: m})...)
	}
	withLegacy := func(m Member) []byte {
		return Tar(Replace(docker, "legacy0/layer.tar", m)...)
	}
	oci := OCIMembers("example.com/hostile:v1", layer)
	manifest := Manifest(cfg, []map[string]any{{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": Digest(layer), "size": len(layer)}})
	ociWithManifest := func(m []byte) []byte {
		ms := Replace(oci, "blobs/sha256/"+hexOf(Digest(manifest)), Member{Name: "blobs/sha256/" + hexOf(Digest(m)), Data: m})
		return Tar(Replace(ms, "index.json", Member{Name: "index.json", Data: Index(Digest(m), "application/vnd.oci.image.manifest.v1+json", "example.com/hostile:v1")})...)
	}
	// An index nesting indexes deeper than any image needs.
	nested := oci
	inner := Digest(manifest)
	for range 6 {
		idx := Index(inner, "application/vnd.oci.image.index.v1+json", "")
		nested = append(nested, Member{Name: "blobs/sha256/" + hexOf(Digest(idx)), Data: idx})
		inner = Digest(idx)
	}
	nested = Replace(nested, "index.json", Member{Name: "index.json", Data: Index(inner, "application/vnd.oci.image.index.v1+json", "example.com/hostile:v1")})

	return []Case{
		{"not a tar", []byte("not an archive, not even 512 bytes"), "read tar"},
		{"docker layer path climbs out", withManifest(SaveManifest(cfgName, "hostile:v1", "../../etc/passwd")), "../../etc/passwd: missing from archive"},
		{"docker layer path is absolute", withManifest(SaveManifest(cfgName, "hostile:v1", "/etc/passwd")), "/etc/passwd: missing from archive"},
		{"docker config path climbs out", withManifest(SaveManifest("../"+cfgName, "hostile:v1", "legacy0/layer.tar")), "missing from archive"},
		{"docker config missing", Tar(Replace(docker, cfgName, Member{})...), cfgName + ": missing from archive"},
		{"docker layer symlink climbs out", withLegacy(Member{Name: "legacy0/layer.tar", Type: tar.TypeSymlink, Link: "../../../etc/passwd"}), "legacy0/layer.tar: missing from archive"},
		{"docker layer symlink to a host path", withLegacy(Member{Name: "legacy0/layer.tar", Type: tar.TypeSymlink, Link: "/etc/passwd"}), "legacy0/layer.tar -> etc/passwd: missing from archive"},
		{"docker layer hard link climbs out", withLegacy(Member{Name: "legacy0/layer.tar", Type: tar.TypeLink, Link: "../etc/shadow"}), "legacy0/layer.tar: missing from archive"},
		{"docker layer symlink loop", Tar(append(Replace(docker, "legacy0/layer.tar", Member{Name: "legacy0/layer.tar", Type: tar.TypeSymlink, Link: "other.tar"}),
			Member{Name: "legacy0/other.tar", Type: tar.TypeSymlink, Link: "layer.tar"})...), "too many links"},
		{"docker layer is a device", withLegacy(Member{Name: "legacy0/layer.tar", Type: tar.TypeChar}), "not a regular file"},
		{"docker layer member twice", Tar(append(docker, Member{Name: "./blobs/sha256/" + hexOf(Digest(layer)), Data: Layer("etc/hostname", "other\n")})...), "2 members of the archive have this name"},
		{"docker manifest.json twice", Tar(append(docker, Member{Name: "manifest.json", Data: SaveManifest(cfgName, "other:v1", "legacy0/layer.tar")})...), "manifest.json: 2 members"},
		{"docker layer name with a newline", withManifest(SaveManifest(cfgName, "hostile:v1", "legacy0/layer.tar\nfake: line")), `"legacy0/layer.tar\nfake: line" has control characters`},
		{"docker link target with a newline", withLegacy(Member{Name: "legacy0/layer.tar", Type: tar.TypeSymlink, Link: "x\ny"}), `legacy0/layer.tar -> "legacy0/x\ny": missing from archive`},
		{"docker manifest.json not JSON", withManifest([]byte("[{")), "manifest.json:"},
		{"docker manifest.json huge", withManifest(append(SaveManifest(cfgName, "hostile:v1", "legacy0/layer.tar"), bytes.Repeat([]byte(" "), MaxMetadata)...)), "too large for metadata"},
		{"oci manifest does not match its digest", Tar(Replace(oci, "blobs/sha256/"+hexOf(Digest(manifest)), Member{Name: "blobs/sha256/" + hexOf(Digest(manifest)), Data: append(manifest, ' ')})...), "digest mismatch"},
		{"oci config does not match its digest", Tar(Replace(oci, cfgName, Member{Name: cfgName, Data: Config()})...), "digest mismatch"},
		{"oci manifest blob missing", Tar(Replace(oci, "blobs/sha256/"+hexOf(Digest(manifest)), Member{})...), "missing from archive"},
		{"oci layer blob missing", Tar(Replace(oci, "blobs/sha256/"+hexOf(Digest(layer)), Member{})...), "missing from archive"},
		{"oci digest that is a path", ociWithManifest(Manifest(cfg, []map[string]any{{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:../../../index.json", "size": 1}})), "missing from archive"},
		{"oci layer size differs from the manifest", ociWithManifest(Manifest(cfg, []map[string]any{{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": Digest(layer), "size": len(layer) + 1}})), "bytes in the archive, the manifest says"},
		{"oci blob twice", Tar(append(oci, Member{Name: cfgName, Data: cfg})...), "2 members of the archive have this name"},
		{"oci index nested too deep", Tar(nested...), "nesting too deep"},
		{"docker-save before manifest.json", Tar(Member{Name: "repositories", Data: []byte(`{"hostile":{"v1":"` + hexOf(Digest(layer)) + `"}}`)},
			Member{Name: hexOf(Digest(layer)) + "/json", Data: []byte(`{}`)}, Member{Name: hexOf(Digest(layer)) + "/layer.tar", Data: layer}), "before Docker 1.10"},
		{"docker config lists fewer layers", withManifest(SaveManifest(cfgName, "hostile:v1", "legacy0/layer.tar", "legacy0/layer.tar")), "lists 1 layers, the manifest 2"},
		{"oci diff ID that is not a digest", func() []byte {
			bad := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:aaaa"]}}`)
			m := Manifest(bad, []map[string]any{{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": Digest(layer), "size": len(layer)}})
			ms := Replace(oci, "index.json", Member{Name: "index.json", Data: Index(Digest(m), "application/vnd.oci.image.manifest.v1+json", "")})
			return Tar(append(ms, Member{Name: "blobs/sha256/" + hexOf(Digest(m)), Data: m}, Member{Name: "blobs/sha256/" + hexOf(Digest(bad)), Data: bad})...)
		}(), `diff ID "sha256:aaaa" is not sha256`},
		{"oci index.json huge", Tar(Replace(oci, "index.json", Member{Name: "index.json", Data: bytes.Repeat([]byte(" "), MaxMetadata+1)})...), "too large for metadata"},
	}
}

// ForPlatform is one image of a multi-platform index: one layer, built
// for OS/Arch.
type ForPlatform struct {
	OS, Arch string
	Layer    []byte
}

// MultiPlatform are the members of an OCI layout whose index.json names,
// as ref (containerd's annotation; ref.name gets the bare tag "1"), an
// index of one image per platform, in the order given.
func MultiPlatform(ref string, images ...ForPlatform) []Member {
	ms := []Member{{Name: "oci-layout", Data: []byte(`{"imageLayoutVersion":"1.0.0"}`)}}
	var descs []any
	for _, img := range images {
		cfg := Config(img.Layer)
		m := Manifest(cfg, []map[string]any{{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": Digest(img.Layer), "size": len(img.Layer)}})
		ms = append(ms,
			Member{Name: "blobs/sha256/" + hexOf(Digest(img.Layer)), Data: img.Layer},
			Member{Name: "blobs/sha256/" + hexOf(Digest(cfg)), Data: cfg},
			Member{Name: "blobs/sha256/" + hexOf(Digest(m)), Data: m})
		descs = append(descs, map[string]any{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": Digest(m), "size": len(m),
			"platform": map[string]string{"os": img.OS, "architecture": img.Arch}})
	}
	platforms, _ := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": descs})
	top, _ := json.Marshal(map[string]any{"schemaVersion": 2, "manifests": []any{map[string]any{
		"mediaType": "application/vnd.oci.image.index.v1+json", "digest": Digest(platforms), "size": len(platforms),
		"annotations": map[string]string{"io.containerd.image.name": ref, "org.opencontainers.image.ref.name": "1"}}}})
	return append(ms,
		Member{Name: "blobs/sha256/" + hexOf(Digest(platforms)), Data: platforms},
		Member{Name: "index.json", Data: top})
}
