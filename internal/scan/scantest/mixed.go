package scantest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// mixedDefault is where the mixed rootfs is cached between runs;
// WARD_TEST_MIXED overrides it.
const mixedDefault = "/var/cache/ward-test/mixed"

// Mixed root contents, pinned so expectations are stable.
var (
	// MixedDebs are Debian 12 packages whose files carry language
	// metadata: a Python egg-info, a gemspec, a jar with pom.properties.
	MixedDebs = []string{"python3-requests", "ruby-rack", "libcommons-lang3-java"}
	// MixedNPM are npm packages at pinned, vulnerable versions.
	MixedNPM = []string{"lodash@4.17.15", "minimist@0.0.8"}
)

// MixedRootfs returns a Debian 12 minbase rootfs with packages of every
// ecosystem ward reads: Debian packages (dpkg status.d entries, as
// distroless images have) shipping a Python distribution, a gem and a
// jar; npm packages unpacked into app/node_modules from the registry's
// tarballs; a Go binary (gofmt of the toolchain); a Rust binary (a copy
// of it with a cargo-auditable .dep-v0 section added by objcopy, since
// Debian 12 has no cargo-auditable); and a Composer installed.json written
// by hand. It is built once (root, the Debian mirror, the npm registry,
// objcopy) and cached.
func MixedRootfs(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("WARD_TEST_MIXED")
	if dir == "" {
		dir = mixedDefault
	}
	done := filepath.Join(dir, ".ward-mixed-complete")
	if _, err := os.Stat(done); err == nil {
		return dir
	}
	for _, tool := range []string{"apt-get", "dpkg-deb", "npm", "objcopy", "tar", "cp"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("building the mixed rootfs needs %s (apt-get install binutils npm)", tool)
		}
	}
	minbase := MinbaseRootfs(t)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	lock, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(done); err == nil {
		return dir
	}
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	if err := buildMixed(t, minbase, tmp); err != nil {
		os.RemoveAll(tmp)
		t.Skipf("building the mixed rootfs: %v", err)
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(done, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func run(dir string, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

func buildMixed(t testing.TB, minbase, root string) error {
	if _, err := run("", "cp", "-a", minbase, root); err != nil {
		return err
	}
	work := t.TempDir()

	// Debian packages: unpacked, and recorded as distroless does, one
	// control file per package in var/lib/dpkg/status.d.
	if _, err := run(work, "apt-get", "download", MixedDebs[0], MixedDebs[1], MixedDebs[2]); err != nil {
		return err
	}
	debs, _ := filepath.Glob(filepath.Join(work, "*.deb"))
	if len(debs) != len(MixedDebs) {
		return fmt.Errorf("apt-get download gave %d packages, want %d", len(debs), len(MixedDebs))
	}
	statusD := filepath.Join(root, "var/lib/dpkg/status.d")
	if err := os.MkdirAll(statusD, 0o755); err != nil {
		return err
	}
	for _, deb := range debs {
		if _, err := run("", "dpkg-deb", "-x", deb, root); err != nil {
			return err
		}
		control, err := run("", "dpkg-deb", "-f", deb)
		if err != nil {
			return err
		}
		name, _ := run("", "dpkg-deb", "-f", deb, "Package")
		if err := os.WriteFile(filepath.Join(statusD, strings.TrimSpace(string(name))), control, 0o644); err != nil {
			return err
		}
	}

	// npm packages from the registry's tarballs, as npm install lays them.
	modules := filepath.Join(root, "app/node_modules")
	for _, spec := range MixedNPM {
		out, err := run(work, "npm", "pack", "--silent", spec)
		if err != nil {
			return err
		}
		tgz := filepath.Join(work, strings.TrimSpace(string(out)))
		name, _, _ := strings.Cut(spec, "@")
		dest := filepath.Join(modules, name)
		if err := os.MkdirAll(dest, 0o755); err != nil {
			return err
		}
		if _, err := run("", "tar", "-xzf", tgz, "-C", dest, "--strip-components=1"); err != nil {
			return err
		}
	}

	// A Go binary, and a Rust one made from it.
	gofmt := filepath.Join(runtime.GOROOT(), "bin", "gofmt")
	bin := filepath.Join(root, "usr/local/bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	if _, err := run("", "cp", gofmt, filepath.Join(bin, "gofmt")); err != nil {
		return err
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(`{"packages":[{"name":"rust-demo","version":"0.1.0","source":"local","root":true,"dependencies":[1,2]},` +
		`{"name":"smallvec","version":"1.6.0","source":"crates.io"},{"name":"time","version":"0.1.43","source":"crates.io"}]}`))
	zw.Close()
	depv0 := filepath.Join(work, "dep-v0")
	if err := os.WriteFile(depv0, z.Bytes(), 0o644); err != nil {
		return err
	}
	if _, err := run("", "objcopy", "--remove-section", ".go.buildinfo", "--add-section", ".dep-v0="+depv0, gofmt, filepath.Join(bin, "rust-demo")); err != nil {
		return err
	}
	os.Chmod(filepath.Join(bin, "rust-demo"), 0o755)

	// A Composer 2 installed.json, as composer writes it.
	vendor := filepath.Join(root, "var/www/app/vendor/composer")
	if err := os.MkdirAll(vendor, 0o755); err != nil {
		return err
	}
	installed := `{"packages":[{"name":"monolog/monolog","version":"2.9.1","version_normalized":"2.9.1.0","type":"library","license":["MIT"]},` +
		`{"name":"guzzlehttp/psr7","version":"1.8.3","version_normalized":"1.8.3.0","type":"library","license":["MIT"]}],"dev":true,"dev-package-names":[]}`
	return os.WriteFile(filepath.Join(vendor, "installed.json"), []byte(installed), 0o644)
}
