package inventory

import "testing"

func TestPackageURL(t *testing.T) {
	debian := Distro{ID: "debian", VersionID: "12"}
	tests := []struct {
		name string
		p    Package
		d    Distro
		want string
	}{
		{"deb with epoch and source", Package{Type: TypeDeb, Name: "bsdutils", Version: "1:2.38.1-5+deb12u3", Arch: "amd64", SourceName: "util-linux"}, debian,
			"pkg:deb/debian/bsdutils@1:2.38.1-5+deb12u3?arch=amd64&distro=debian-12&upstream=util-linux"},
		{"deb without distro", Package{Type: TypeDeb, Name: "tzdata", Version: "2024a-0+deb12u1", Arch: "all"}, Distro{},
			"pkg:deb/debian/tzdata@2024a-0+deb12u1?arch=all"},
		{"apk", Package{Type: TypeAPK, Name: "musl", Version: "1.2.4_git20230717-r4", Arch: "x86_64"}, Distro{ID: "alpine", VersionID: "3.19.1"},
			"pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1"},
		{"rpm epoch as qualifier", Package{Type: TypeRPM, Name: "openssl", Version: "1:3.0.7-25.el9", Arch: "x86_64"}, Distro{ID: "rocky", VersionID: "9.3"},
			"pkg:rpm/rocky/openssl@3.0.7-25.el9?arch=x86_64&distro=rocky-9.3&epoch=1"},
		{"go module", Package{Type: TypeGolang, Name: "golang.org/x/net", Version: "v0.17.0"}, debian,
			"pkg:golang/golang.org/x/net@v0.17.0"},
		{"go stdlib: version as the Go database and syft write it", Package{Type: TypeGolang, Name: "stdlib", Version: "go1.21.3"}, debian,
			"pkg:golang/stdlib@1.21.3"},
		{"npm scoped", Package{Type: TypeNPM, Name: "@babel/core", Version: "7.0.0-beta.44"}, debian,
			"pkg:npm/%40babel/core@7.0.0-beta.44"},
		{"pypi normalized", Package{Type: TypePyPI, Name: "Zope_Interface", Version: "5.4.0"}, debian,
			"pkg:pypi/zope-interface@5.4.0"},
		{"maven group", Package{Type: TypeMaven, Name: "org.apache.commons:commons-lang3", Version: "3.12.0"}, debian,
			"pkg:maven/org.apache.commons/commons-lang3@3.12.0"},
		{"composer vendor", Package{Type: TypeComposer, Name: "monolog/monolog", Version: "2.9.1"}, debian,
			"pkg:composer/monolog/monolog@2.9.1"},
		{"escaping", Package{Type: TypeGolang, Name: "example.com/a b", Version: "v1.0.0+incompatible"}, Distro{},
			"pkg:golang/example.com/a%20b@v1.0.0+incompatible"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PackageURL(tc.p, tc.d); got != tc.want {
				t.Errorf("PackageURL = %s, want %s", got, tc.want)
			}
		})
	}
}
