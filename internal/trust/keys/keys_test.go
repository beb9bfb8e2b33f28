package keys

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerateParse(t *testing.T) {
	for _, pw := range []string{"s3cret", ""} {
		pair, err := Generate([]byte(pw))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(pair.PrivatePEM, []byte("-----BEGIN "+SigstorePrivateKeyType+"-----")) {
			t.Fatalf("private key PEM type: %s", pair.PrivatePEM)
		}
		if !bytes.HasPrefix(pair.PublicPEM, []byte("-----BEGIN PUBLIC KEY-----")) {
			t.Fatalf("public key PEM type: %s", pair.PublicPEM)
		}
		sv, err := ParsePrivate(pair.PrivatePEM, []byte(pw))
		if err != nil {
			t.Fatalf("password %q: %v", pw, err)
		}
		sig, err := sv.SignMessage(strings.NewReader("payload"))
		if err != nil {
			t.Fatal(err)
		}
		v, _, err := ParsePublic(pair.PublicPEM)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.VerifySignature(bytes.NewReader(sig), strings.NewReader("payload")); err != nil {
			t.Fatalf("signature does not verify with the public key: %v", err)
		}
		if err := v.VerifySignature(bytes.NewReader(sig), strings.NewReader("other")); err == nil {
			t.Fatal("signature verified over another message")
		}
		if _, err := ParsePrivate(pair.PrivatePEM, []byte(pw+"x")); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("wrong password: got %v, want ErrWrongPassword", err)
		}
	}
}

func TestParseRefusals(t *testing.T) {
	pair, err := Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string][]byte{
		"not PEM":        []byte("hello"),
		"public as priv": pair.PublicPEM,
		"garbage block":  []byte("-----BEGIN " + SigstorePrivateKeyType + "-----\nAAAA\n-----END " + SigstorePrivateKeyType + "-----\n"),
	} {
		if _, err := ParsePrivate(in, nil); err == nil {
			t.Errorf("%s: ParsePrivate accepted it", name)
		}
	}
	if _, _, err := ParsePublic(pair.PrivatePEM); err == nil {
		t.Error("ParsePublic accepted a private key")
	}
	if _, _, err := ParsePublic([]byte("junk")); err == nil {
		t.Error("ParsePublic accepted junk")
	}
}

func TestReadFileLimit(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.pub")
	if err := os.WriteFile(big, make([]byte, maxKeyFile+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(big); err == nil || !strings.Contains(err.Error(), "not a key") {
		t.Fatalf("over-size key file: got %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.key")); err == nil || !strings.Contains(err.Error(), "missing.key") {
		t.Fatalf("missing key file: got %v, want an error naming it", err)
	}
}

// TestPassword: COSIGN_PASSWORD set but empty is an empty password; unset,
// a stdin that is not a terminal is read whole, as cosign does.
func TestPassword(t *testing.T) {
	t.Setenv("COSIGN_PASSWORD", "")
	pw, err := Password(nil, nil, true)
	if err != nil || len(pw) != 0 {
		t.Fatalf("set but empty: got %q, %v", pw, err)
	}
	t.Setenv("COSIGN_PASSWORD", "from-env")
	if pw, _ := Password(nil, nil, false); string(pw) != "from-env" {
		t.Fatalf("got %q", pw)
	}
	os.Unsetenv("COSIGN_PASSWORD")
	f, err := os.CreateTemp(t.TempDir(), "stdin")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("piped")
	f.Seek(0, 0)
	if pw, err := Password(f, nil, true); err != nil || string(pw) != "piped" {
		t.Fatalf("piped: got %q, %v", pw, err)
	}
}
