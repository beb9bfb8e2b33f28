package imageworkload

import (
	"io"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/scan/source"
	"github.com/wardproject/ward/internal/scan/vulndb"
)

// fakeLayer is a layer of in-memory entries.
type fakeLayer []source.Entry

func (fakeLayer) Digest() string { return "" }
func (l fakeLayer) Walk(fn func(source.Entry) error) error {
	for _, e := range l {
		if e.Mode.IsRegular() && e.Open == nil {
			e.Open = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("")), nil }
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

type fakeSource []source.Layer

func (s fakeSource) Layers() []source.Layer { return s }
func (fakeSource) Close() error             { return nil }

func file(p string, mode fs.FileMode) source.Entry { return source.Entry{Path: p, Mode: mode} }

func content(p, data string) source.Entry {
	return source.Entry{Path: p, Mode: 0o644, Size: int64(len(data)), Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(data)), nil
	}}
}

// The census sees the merged filesystem: a later layer's whiteout, opaque
// directory or plain rewrite undoes what lower layers put there.
func TestInspectCensus(t *testing.T) {
	src := fakeSource{
		fakeLayer{
			content("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"),
			file("usr/bin/passwd", 0o755|fs.ModeSetuid),
			file("usr/bin/chage", 0o755|fs.ModeSetgid),
			file("usr/bin/su", 0o755|fs.ModeSetuid),
			file("usr/bin/mount", 0o755|fs.ModeSetuid),
			file("opt/tool/helper", 0o755|fs.ModeSetuid|fs.ModeSetgid),
			file("usr/bin/apt-get", 0o755),
			file("usr/bin/sudo", 0o755|fs.ModeSetuid),
			{Path: "usr/bin/sg", Mode: fs.ModeSymlink | 0o777, Linkname: "newgrp"},
		},
		fakeLayer{
			{Path: "usr/bin/su", Whiteout: true},
			file("usr/bin/mount", 0o755), // rewritten without the bit
			{Path: "opt/tool", Opaque: true},
			{Path: "usr/bin/sudo", Whiteout: true},
		},
	}
	c, err := Inspect(src, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"usr/bin/chage (setgid)", "usr/bin/passwd (setuid)"}
	if !slices.Equal(c.Setuid, want) {
		t.Errorf("setuid files %v, want %v", c.Setuid, want)
	}
	if c.PackageManager != "/usr/bin/apt-get" || c.Sudo != "" {
		t.Errorf("package manager %q, sudo %q", c.PackageManager, c.Sudo)
	}
	if c.Distro != "debian" || !strings.HasPrefix(c.DistroName, "Debian") {
		t.Errorf("distro %q %q", c.Distro, c.DistroName)
	}
	if c.Scan != nil {
		t.Errorf("scanned without a database: %+v", c.Scan)
	}
}

// fakeDB serves one advisory for busybox.
type fakeDB struct{}

// HasEcosystem: the fake holds Debian 12's advisories only.
func (fakeDB) HasEcosystem(ecosystem string) (bool, error) { return ecosystem == "Debian:12", nil }

func (fakeDB) Advisories(ecosystem, name string) ([]vulndb.Advisory, error) {
	if name != "busybox" {
		return nil, nil
	}
	var a vulndb.Affected
	a.Package.Ecosystem, a.Package.Name = ecosystem, name
	a.Ranges = []vulndb.Range{{Type: "ECOSYSTEM", Events: []vulndb.Event{{Introduced: "0"}, {Fixed: "1:1.35.0-4+deb12u1"}}}}
	return []vulndb.Advisory{{ID: "DEBIAN-CVE-2022-48174", Severity: "CRITICAL", Affected: []vulndb.Affected{a}}}, nil
}

func TestInspectScan(t *testing.T) {
	src := fakeSource{fakeLayer{
		content("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
		content("var/lib/dpkg/status", "Package: busybox\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.35.0-4\n\n"),
	}}
	c, err := Inspect(src, "test", fakeDB{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Scan == nil || c.Scan.Packages != 1 || len(c.Scan.Vulnerabilities) != 1 {
		t.Fatalf("scan %+v", c.Scan)
	}
	v := c.Scan.Vulnerabilities[0]
	if v.ID != "DEBIAN-CVE-2022-48174" || v.Severity != "CRITICAL" || v.FixedVersion != "1:1.35.0-4+deb12u1" || v.InstalledVersion != "1:1.35.0-4" {
		t.Errorf("vulnerability %+v", v)
	}
}
