package analyzer

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"

	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/source"
)

// Java reads Java archives (jar, war, ear and Jenkins plugins): each
// META-INF/maven/GROUP/ARTIFACT/pom.properties names a Maven package (a
// fat jar carries one per library shaded into it); an archive without one
// is named by its manifest, else by its file name. Archives nested in an
// archive (a war's WEB-INF/lib, a Spring Boot jar's BOOT-INF/lib) are read
// too, in memory, to a bounded depth.
type Java struct{}

func (Java) Name() string { return "java" }

// Bounds on what is read: the archive, a nested archive, nesting depth.
const (
	maxJavaArchive = 1 << 30
	maxNestedJar   = 32 << 20 // held in memory, at most maxJarDepth at once
	maxJarDepth    = 3
)

var javaSuffixes = []string{".jar", ".war", ".ear", ".jpi", ".hpi"}

func isJavaArchive(name string) bool {
	for _, s := range javaSuffixes {
		if strings.HasSuffix(strings.ToLower(name), s) {
			return true
		}
	}
	return false
}

func (Java) Wants(e source.Entry) bool {
	return isJavaArchive(e.Path) && e.Size > 0 && e.Size < maxJavaArchive
}

func (Java) Analyze(e source.Entry, r io.Reader) (Result, error) {
	ra, cleanup, err := readerAt(r, nil)
	if err != nil {
		return Result{}, err
	}
	defer cleanup()
	zr, err := zip.NewReader(ra, e.Size)
	if err != nil {
		return Result{}, fmt.Errorf("java archive: %w", err)
	}
	pkgs, err := javaPackages(zr, path.Base(e.Path), 0)
	if err != nil {
		return Result{}, err
	}
	return Result{Packages: pkgs}, nil
}

// javaPackages lists the packages of one archive and those nested in it.
func javaPackages(zr *zip.Reader, name string, depth int) ([]inventory.Package, error) {
	var pkgs []inventory.Package
	var manifest *zip.File
	for _, f := range zr.File {
		switch {
		case strings.HasPrefix(f.Name, "META-INF/maven/") && strings.HasSuffix(f.Name, "/pom.properties"):
			props, err := readZipFile(f, 1<<20)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Name, err)
			}
			if p, ok := pomProperties(props); ok {
				pkgs = append(pkgs, p)
			}
		case strings.EqualFold(f.Name, "META-INF/MANIFEST.MF"):
			manifest = f
		case depth < maxJarDepth && isJavaArchive(f.Name) && f.UncompressedSize64 < maxNestedJar:
			b, err := readZipFile(f, maxNestedJar)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Name, err)
			}
			nested, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Name, err)
			}
			inner, err := javaPackages(nested, path.Base(f.Name), depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Name, err)
			}
			pkgs = append(pkgs, inner...)
		}
	}
	if len(pkgs) > 0 && !onlyNested(pkgs, zr) {
		return pkgs, nil
	}
	// No pom.properties of its own: the manifest or the file name says.
	var mf map[string]string
	if manifest != nil {
		b, err := readZipFile(manifest, 1<<20)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", manifest.Name, err)
		}
		mf = manifestMain(b)
	}
	if p, ok := javaByName(name, mf); ok {
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// onlyNested reports whether every package came from nested archives,
// i.e. the archive itself has no pom.properties.
func onlyNested(pkgs []inventory.Package, zr *zip.Reader) bool {
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "META-INF/maven/") && strings.HasSuffix(f.Name, "/pom.properties") {
			return false
		}
	}
	return true
}

func readZipFile(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, limit))
}

// pomProperties reads groupId, artifactId and version.
func pomProperties(b []byte) (inventory.Package, bool) {
	props := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			k, v, ok = strings.Cut(line, ":")
		}
		if ok {
			props[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	g, a, v := props["groupId"], props["artifactId"], props["version"]
	if g == "" || a == "" || v == "" {
		return inventory.Package{}, false
	}
	return inventory.Package{Type: inventory.TypeMaven, Name: g + ":" + a, Version: v}, true
}

// manifestMain reads the main section of a MANIFEST.MF (continuation
// lines start with a space).
func manifestMain(b []byte) map[string]string {
	m := map[string]string{}
	var last string
	for _, line := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
		if line == "" {
			break // the main section ends at the first blank line
		}
		if line[0] == ' ' && last != "" {
			m[last] += line[1:]
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			last = strings.TrimSpace(k)
			m[last] = strings.TrimSpace(v)
		}
	}
	return m
}

var jarFileName = regexp.MustCompile(`^(.+?)-(\d[\w.\-]*?)\.[A-Za-z]+$`)

// javaByName names an archive without pom.properties by its manifest
// (Implementation-Title and -Version, or the OSGi bundle headers) or, when
// that says nothing, its file name (NAME-VERSION.jar). The group is not
// known then: the package is listed but cannot be matched to advisories,
// which name group:artifact.
func javaByName(file string, mf map[string]string) (inventory.Package, bool) {
	var name, version string
	if m := jarFileName.FindStringSubmatch(file); m != nil {
		name, version = m[1], m[2]
	}
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := mf[k]; v != "" {
				return strings.TrimSpace(strings.Split(v, ";")[0])
			}
		}
		return ""
	}
	if v := first("Implementation-Version", "Bundle-Version", "Specification-Version"); v != "" {
		version = v
	}
	if name == "" {
		name = first("Implementation-Title", "Bundle-Name", "Bundle-SymbolicName")
	}
	if name == "" || version == "" {
		return inventory.Package{}, false
	}
	return inventory.Package{Type: inventory.TypeMaven, Name: name, Version: version}, true
}
