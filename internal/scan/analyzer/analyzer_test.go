package analyzer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/scantest"
	"github.com/wardproject/ward/internal/scan/source"
)

func runOn(t *testing.T, target string) *inventory.Inventory {
	t.Helper()
	src, err := source.Open(target)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	inv, err := Run(src, target, All())
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func find(inv *inventory.Inventory, typ inventory.Type, name string) (inventory.Package, bool) {
	for _, p := range inv.Packages {
		if p.Type == typ && p.Name == name {
			return p, true
		}
	}
	return inventory.Package{}, false
}

// stanza renders a minimal dpkg status stanza.
func stanza(name, version string) string {
	return fmt.Sprintf("Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s\n\n", name, version)
}

// fieldOf reads one field of the first stanza naming pkg in a status file.
func fieldOf(t *testing.T, status []byte, pkg, field string) string {
	for _, st := range strings.Split(string(status), "\n\n") {
		if !strings.Contains(st, "Package: "+pkg+"\n") {
			continue
		}
		for _, line := range strings.Split(st, "\n") {
			if v, ok := strings.CutPrefix(line, field+": "); ok {
				return v
			}
		}
	}
	t.Fatalf("no %s field for %s in fixture", field, pkg)
	return ""
}

func TestDirectoryRootfs(t *testing.T) {
	root := t.TempDir()
	status := readTestdata(t, "dpkg/status")
	put := func(p string, b []byte) {
		full := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put("usr/lib/os-release", readTestdata(t, "os-release.debian"))
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.Symlink("../usr/lib/os-release", filepath.Join(root, "etc/os-release"))
	put("var/lib/dpkg/status", status)
	for _, f := range []string{"base-files", "tzdata", "tzdata.md5sums"} {
		put("var/lib/dpkg/status.d/"+f, readTestdata(t, "dpkg/status.d/"+f))
	}
	for _, pkg := range []string{"tzdata", "libc6"} {
		put("usr/share/doc/"+pkg+"/copyright", readTestdata(t, "doc/"+pkg+"/copyright"))
	}
	inv := runOn(t, root)
	if inv.Distro.ID != "debian" || inv.Distro.VersionID == "" {
		t.Fatalf("distro = %+v, want debian with a version", inv.Distro)
	}
	libcVersion := fieldOf(t, status, "libc6", "Version")
	bsdVersion := fieldOf(t, status, "bsdutils", "Version")
	bsdSource := fieldOf(t, status, "bsdutils", "Source") // "util-linux (VERSION)"
	tzVersion := fieldOf(t, readTestdata(t, "dpkg/status.d/tzdata"), "tzdata", "Version")

	tests := []struct {
		name, version, sourceName, sourceVersion, location string
	}{
		{"libc6", libcVersion, "glibc", "", "var/lib/dpkg/status"},
		{"bsdutils", bsdVersion, "util-linux", strings.Trim(strings.TrimPrefix(bsdSource, "util-linux "), "()"), "var/lib/dpkg/status"},
		{"tzdata", tzVersion, "", "", "var/lib/dpkg/status.d/tzdata"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := find(inv, inventory.TypeDeb, tc.name)
			if !ok {
				t.Fatalf("%s missing from %+v", tc.name, inv.Packages)
			}
			if p.Version != tc.version || p.SourceName != tc.sourceName || p.SourceVersion != tc.sourceVersion || p.Location != tc.location {
				t.Errorf("got %+v, want version %q source %q %q at %s", p, tc.version, tc.sourceName, tc.sourceVersion, tc.location)
			}
			if !strings.HasPrefix(p.PURL, "pkg:deb/debian/"+tc.name+"@") || !strings.Contains(p.PURL, "distro=debian-12") {
				t.Errorf("purl %q lacks name or distro", p.PURL)
			}
		})
	}
	t.Run("licenses from copyright files", func(t *testing.T) {
		// What each fixture names: DEP-5 License fields, or common-licenses paths.
		wants := map[string]*regexp.Regexp{
			"tzdata": regexp.MustCompile(`(?m)^License: *(\S.*)$`),
			"libc6":  regexp.MustCompile(`/usr/share/common-licenses/([A-Za-z0-9.+\-]*[A-Za-z0-9+])`),
		}
		for pkg, re := range wants {
			p, _ := find(inv, inventory.TypeDeb, pkg)
			for _, m := range re.FindAllStringSubmatch(string(readTestdata(t, "doc/"+pkg+"/copyright")), -1) {
				if !slices.Contains(p.Licenses, strings.TrimSpace(m[1])) {
					t.Errorf("%s: license %q missing from %v", pkg, m[1], p.Licenses)
				}
			}
			if len(p.Licenses) == 0 {
				t.Errorf("%s: no licenses", pkg)
			}
		}
	})
	t.Run("config-files stanza is not installed", func(t *testing.T) {
		if _, ok := find(inv, inventory.TypeDeb, "oldpkg"); ok {
			t.Error("oldpkg (config-files) reported as installed")
		}
	})
	t.Run("md5sums is not a stanza", func(t *testing.T) {
		for _, p := range inv.Packages {
			if strings.HasSuffix(p.Location, ".md5sums") {
				t.Errorf("package %s read from %s", p.Name, p.Location)
			}
		}
	})
}

func TestAlpineAPK(t *testing.T) {
	layer := makeTar(t, []tfile{
		{name: "etc/os-release", body: readTestdata(t, "os-release.alpine")},
		{name: "lib/apk/db/installed", body: readTestdata(t, "apk/installed")},
	})
	inv := runOn(t, writeFile(t, "rootfs.tar", layer))
	if inv.Distro.ID != "alpine" {
		t.Fatalf("distro = %+v", inv.Distro)
	}
	p, ok := find(inv, inventory.TypeAPK, "busybox-binsh")
	if !ok {
		t.Fatal("busybox-binsh missing")
	}
	want := "pkg:apk/alpine/busybox-binsh@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1&upstream=busybox"
	if p.PURL != want || p.SourceName != "busybox" || len(p.Licenses) != 1 {
		t.Errorf("got %+v, want purl %s, origin busybox, one license", p, want)
	}
	if musl, _ := find(inv, inventory.TypeAPK, "musl"); musl.SourceName != "" {
		t.Errorf("musl origin is itself, want no source name, got %q", musl.SourceName)
	}
}

// TestLayeredArchives builds the same three-layer image as a docker-save and
// an OCI archive and checks layer attribution, upgrades and whiteouts.
func TestLayeredArchives(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	goBin, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Skip("test binary has no build info")
	}
	osRelease := readTestdata(t, "os-release.debian")
	l0 := makeTar(t, []tfile{
		{name: "etc/os-release", body: osRelease},
		{name: "var/lib/dpkg/status", body: []byte(stanza("a", "1.0") + stanza("b", "1.0"))},
		{name: "usr/bin/gone", body: goBin, mode: 0o755},
	})
	l1 := makeTar(t, []tfile{
		{name: "var/lib/dpkg/status", body: []byte(stanza("a", "1.0") + stanza("b", "2.0") + stanza("c", "1:3.0-1"))},
		{name: "usr/local/bin/tool", body: goBin, mode: 0o755},
		{name: "var/lib/dpkg/status.d/d", body: []byte(stanza("d", "4.0"))},
	})
	l2 := makeTar(t, []tfile{
		{name: "usr/bin/.wh.gone"},
		{name: "var/lib/dpkg/status.d/.wh..wh..opq"},
		{name: "etc/motd", body: []byte("hi\n")},
	})
	dockerPath, dockerIDs := writeDockerArchive(t, [][]byte{l0, l1, l2})
	ociPath, ociIDs := writeOCIArchive(t, [][]byte{l0, l1, l2})
	defer func(v int64) { inMemoryBinary = v }(inMemoryBinary)
	for _, tc := range []struct {
		name     string
		path     string
		diffIDs  []string
		inMemory int64 // binaries up to this size are read into memory, larger ones spooled
	}{
		{"docker-archive", dockerPath, dockerIDs, 0},
		{"oci-archive", ociPath, ociIDs, 1 << 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inMemoryBinary = tc.inMemory
			inv := runOn(t, tc.path)
			wantLayer := map[string]string{"a": tc.diffIDs[0], "b": tc.diffIDs[1], "c": tc.diffIDs[1]}
			for name, layer := range wantLayer {
				p, ok := find(inv, inventory.TypeDeb, name)
				if !ok {
					t.Fatalf("package %s missing", name)
				}
				if p.Layer != layer {
					t.Errorf("%s: layer %s, want %s", name, p.Layer, layer)
				}
			}
			if p, _ := find(inv, inventory.TypeDeb, "c"); p.Version != "1:3.0-1" {
				t.Errorf("c version %q, want the epoch kept", p.Version)
			}
			if _, ok := find(inv, inventory.TypeDeb, "d"); ok {
				t.Error("d survives the opaque status.d of the top layer")
			}
			std, ok := find(inv, inventory.TypeGolang, "stdlib")
			if !ok || std.Location != "usr/local/bin/tool" || std.Version != bi.GoVersion || std.Layer != tc.diffIDs[1] {
				t.Errorf("stdlib = %+v, want %s from usr/local/bin/tool in layer 1", std, bi.GoVersion)
			}
			for _, p := range inv.Packages {
				if p.Location == "usr/bin/gone" {
					t.Errorf("whited-out binary still reported: %+v", p)
				}
			}
		})
	}
}

func TestBusyboxOnly(t *testing.T) {
	// The banner as busybox prints it, inside filler like a real binary.
	body := append(make([]byte, 200<<10), []byte("\x00BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\x00")...)
	tarball := makeTar(t, []tfile{{name: "bin/busybox", body: body, mode: 0o755}, {name: "bin/sh", symlink: "busybox"}})
	inv := runOn(t, writeFile(t, "busybox.tar", gzipBytes(t, tarball)))
	if inv.Distro.ID != "busybox" || inv.Distro.VersionID != "1.36.1" {
		t.Errorf("distro = %+v, want busybox 1.36.1", inv.Distro)
	}
}

// TestHostileTar checks names that climb out of the root, absolute names
// and symlinks to host files are neither followed nor written anywhere.
func TestHostileTar(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "escaped")
	tarball := makeTar(t, []tfile{
		{name: "../../../../" + outside, body: []byte("x")},
		{name: "/var/lib/dpkg/status", symlink: "/var/lib/dpkg/status"},
		{name: "lib/apk/db/installed", symlink: "../../../../../etc/passwd"},
		{name: "../../etc/os-release", body: readTestdata(t, "os-release.alpine")},
	})
	inv := runOn(t, writeFile(t, "hostile.tar", tarball))
	if _, err := os.Stat(outside); err == nil {
		t.Errorf("%s was written", outside)
	}
	if len(inv.Packages) != 0 {
		t.Errorf("symlinked databases were followed: %+v", inv.Packages)
	}
	// "../../etc/os-release" is cleaned to the root's etc/os-release, as
	// container runtimes resolve it, never the host's.
	if inv.Distro.ID != "alpine" {
		t.Errorf("distro = %+v, want the archive's alpine", inv.Distro)
	}
}

// TestMinbaseAgainstDpkgQuery compares the packages found in a Debian 12
// minbase rootfs with what dpkg itself lists.
func TestMinbaseAgainstDpkgQuery(t *testing.T) {
	root := scantest.MinbaseRootfs(t)
	out, err := exec.Command("dpkg-query", "-W", "--admindir="+filepath.Join(root, "var/lib/dpkg"),
		"-f", "${db:Status-Status} ${Package} ${Version}\n").Output()
	if err != nil {
		t.Skipf("dpkg-query unavailable: %v", err)
	}
	var want []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == "installed" {
			want = append(want, f[1]+" "+f[2])
		}
	}
	inv := runOn(t, root)
	var got []string
	for _, p := range inv.Packages {
		if p.Type == inventory.TypeDeb {
			got = append(got, p.Name+" "+p.Version)
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ward found %d packages, dpkg-query %d:\nward: %v\ndpkg: %v", len(got), len(want), got, want)
	}
	if inv.Distro.ID != "debian" || inv.Distro.VersionID != "12" {
		t.Errorf("distro = %+v", inv.Distro)
	}
	t.Logf("%d packages match dpkg-query", len(got))
}

// TestRealBusybox reads the version from this host's busybox binary and
// checks it against what the binary says about itself.
func TestRealBusybox(t *testing.T) {
	bin, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("busybox not installed")
	}
	out, _ := exec.Command(bin).CombinedOutput() // prints its banner and usage, exits 1
	banner, _, _ := strings.Cut(string(out), "\n")
	fields := strings.Fields(banner) // BusyBox v1.35.0 (Debian ...) multi-call binary.
	if len(fields) < 2 || fields[0] != "BusyBox" {
		t.Skipf("unexpected busybox banner %q", banner)
	}
	want := strings.TrimPrefix(fields[1], "v")
	body, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	inv := runOn(t, writeFile(t, "busybox.tar", makeTar(t, []tfile{{name: "bin/busybox", body: body, mode: 0o755}})))
	if inv.Distro.ID != "busybox" || inv.Distro.VersionID != want {
		t.Errorf("distro = %+v, want busybox %s", inv.Distro, want)
	}
}
