package verbs

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/rootdir"
)

func TestKeyGenerateAndLoad(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("COSIGN_PASSWORD", "secret")
	var out, errOut bytes.Buffer
	std := Stdio{Stdin: os.Stdin, Stdout: &out, Stderr: &errOut}
	prefix := filepath.Join(dir, "k")
	if err := KeyGenerate(std, prefix, false); err != nil {
		t.Fatal(err)
	}
	if want := "Private key written to " + prefix + ".key\nPublic key written to " + prefix + ".pub\n"; errOut.String() != want {
		t.Errorf("stderr %q, want %q", errOut.String(), want)
	}
	if fi, err := os.Stat(prefix + ".key"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("private key: %v, %v", fi, err)
	}
	err := KeyGenerate(std, prefix, false)
	if want := "key generate: " + prefix + ".key exists (remove it or use --force)"; err == nil || err.Error() != want {
		t.Errorf("second generate: %v, want %q", err, want)
	}
	if err := KeyGenerate(std, prefix, true); err != nil {
		t.Errorf("generate --force: %v", err)
	}
	if _, err := LoadKeyChecker(prefix + ".pub"); err != nil {
		t.Errorf("LoadKeyChecker(public key): %v", err)
	}
	if _, err := LoadKeyChecker(prefix + ".key"); err == nil || !strings.HasPrefix(err.Error(), "key "+prefix+".key: ") {
		t.Errorf("LoadKeyChecker(private key) = %v, want an error naming it", err)
	}
	if _, err := loadSigner(std, prefix+".key"); err != nil {
		t.Errorf("loadSigner with COSIGN_PASSWORD: %v", err)
	}
}

func TestKeyless(t *testing.T) {
	if (Keyless{RequireTlog: true}).Set() {
		t.Error("--require-tlog alone names nothing to trust, yet Set")
	}
	k := Keyless{Identity: "me@example.com"}
	if !k.Set() {
		t.Error("--certificate-identity is not Set")
	}
	if _, err := k.Checker(); err == nil || !strings.Contains(err.Error(), "needs --trusted-root") {
		t.Errorf("Checker without a trusted root: %v", err)
	}
	k.TrustedRoot = filepath.Join(t.TempDir(), "none.json")
	if _, err := k.Checker(); err == nil || !strings.HasPrefix(err.Error(), "trusted root: ") {
		t.Errorf("Checker with a missing trusted root: %v", err)
	}
}

func TestSignAndVerifyRefusals(t *testing.T) {
	root := rootdir.Layout(t.TempDir())
	std := Stdio{Stdin: os.Stdin, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	if err := Sign(std, root, "example.com/a:1", SignOptions{}); err == nil || err.Error() != "sign: --key is required" {
		t.Errorf("Sign without --key: %v", err)
	}
	if _, _, err := LocalImage(root, "nothere"); err == nil || !strings.HasPrefix(err.Error(), "image nothere: ") {
		t.Errorf("LocalImage of a missing image: %v", err)
	}
	err := Verify(std, root, "nothere", VerifyOptions{Local: true, Key: "k.pub"})
	if err == nil || !strings.HasPrefix(err.Error(), "image nothere: ") {
		t.Errorf("Verify --local of a missing image: %v", err)
	}
	if err := TrustVerify(std, "p.json", "a", "not a digest"); err == nil || !strings.HasPrefix(err.Error(), "trust-verify: ") {
		t.Errorf("TrustVerify of a name without digest: %v", err)
	}
}
