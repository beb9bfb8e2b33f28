// Package keys reads and writes signing keys in cosign's formats: a
// private key as PKCS #8 encrypted with a password (scrypt and NaCl
// secretbox, go-securesystemslib's "encrypted" format) in a PEM block
// typed "ENCRYPTED SIGSTORE PRIVATE KEY" (or the older "ENCRYPTED COSIGN
// PRIVATE KEY"), and a public key as a PEM "PUBLIC KEY" (PKIX). A key pair
// written here is read by cosign and the other way round.
package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/options"
	"golang.org/x/term"
)

// The PEM types of cosign's encrypted private keys: it writes the first
// and reads both.
const (
	SigstorePrivateKeyType = "ENCRYPTED SIGSTORE PRIVATE KEY"
	CosignPrivateKeyType   = "ENCRYPTED COSIGN PRIVATE KEY"
	PublicKeyType          = "PUBLIC KEY"
)

// maxKeyFile bounds what is read of a key file: keys are a few hundred
// bytes; anything near this is not a key.
const maxKeyFile = 64 << 10

// ErrWrongPassword is returned when a private key does not decrypt.
var ErrWrongPassword = errors.New("wrong password, or not an encrypted cosign key")

// Pair is a key pair as files hold it.
type Pair struct {
	PrivatePEM []byte // encrypted with the password
	PublicPEM  []byte
}

// Generate makes an ECDSA P-256 key pair (cosign's default) and encrypts
// the private key with password (which may be empty, as cosign allows).
func Generate(password []byte) (Pair, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Pair{}, fmt.Errorf("generate key: %w", err)
	}
	return Marshal(priv, password)
}

// Marshal encodes priv in cosign's encrypted format and its public key.
func Marshal(priv crypto.Signer, password []byte) (Pair, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return Pair{}, fmt.Errorf("encode private key: %w", err)
	}
	enc, err := encrypted.Encrypt(der, password)
	if err != nil {
		return Pair{}, fmt.Errorf("encrypt private key: %w", err)
	}
	pub, err := cryptoutils.MarshalPublicKeyToPEM(priv.Public())
	if err != nil {
		return Pair{}, fmt.Errorf("encode public key: %w", err)
	}
	return Pair{PrivatePEM: pem.EncodeToMemory(&pem.Block{Type: SigstorePrivateKeyType, Bytes: enc}), PublicPEM: pub}, nil
}

// ParsePrivate decrypts an encrypted cosign private key and returns a
// signer as cosign uses it (SHA-256 for ECDSA and RSA, Ed25519ph for
// Ed25519).
func ParsePrivate(pemBytes, password []byte) (signature.SignerVerifier, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("not a PEM file")
	}
	if block.Type != SigstorePrivateKeyType && block.Type != CosignPrivateKeyType {
		return nil, fmt.Errorf("PEM block %q is not an encrypted cosign private key", block.Type)
	}
	der, err := encrypted.Decrypt(block.Bytes, password)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", ErrWrongPassword)
	}
	pk, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	sv, err := signature.LoadDefaultSignerVerifier(pk, options.WithED25519ph())
	if err != nil {
		return nil, fmt.Errorf("load private key: %w", err)
	}
	return sv, nil
}

// ParsePublic reads a PEM public key (or a certificate, whose key it
// takes) and returns a verifier as cosign uses it.
func ParsePublic(pemBytes []byte) (signature.Verifier, crypto.PublicKey, error) {
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(pemBytes)
	if err != nil {
		certs, cerr := cryptoutils.UnmarshalCertificatesFromPEM(pemBytes)
		if cerr != nil || len(certs) == 0 {
			return nil, nil, fmt.Errorf("not a PEM public key: %w", err)
		}
		pub = certs[0].PublicKey
	}
	if err := cryptoutils.ValidatePubKey(pub); err != nil {
		return nil, nil, fmt.Errorf("public key: %w", err)
	}
	v, err := signature.LoadDefaultVerifier(pub, options.WithED25519ph())
	if err != nil {
		return nil, nil, fmt.Errorf("load public key: %w", err)
	}
	return v, pub, nil
}

// ReadFile reads a key file, refusing one too large to be a key.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", path, err)
	}
	if len(b) > maxKeyFile {
		return nil, fmt.Errorf("key %s: larger than %d bytes, not a key", path, maxKeyFile)
	}
	return b, nil
}

// Password gets a key's password as cosign does: COSIGN_PASSWORD when it
// is set (set but empty is an empty password), else asked on the terminal
// (twice when confirm, for a new key), else read whole from stdin.
func Password(stdin *os.File, stderr io.Writer, confirm bool) ([]byte, error) {
	if pw, ok := os.LookupEnv("COSIGN_PASSWORD"); ok {
		return []byte(pw), nil
	}
	if stdin == nil {
		return nil, errors.New("no password: set COSIGN_PASSWORD")
	}
	fd := int(stdin.Fd())
	if !term.IsTerminal(fd) {
		b, err := io.ReadAll(io.LimitReader(stdin, maxKeyFile))
		if err != nil {
			return nil, fmt.Errorf("read password from stdin: %w", err)
		}
		return b, nil
	}
	fmt.Fprint(stderr, "Enter password for private key: ")
	pw, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return nil, fmt.Errorf("read password: %w", err)
	}
	if !confirm {
		return pw, nil
	}
	fmt.Fprint(stderr, "Enter password for private key again: ")
	again, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return nil, fmt.Errorf("read password: %w", err)
	}
	if string(again) != string(pw) {
		return nil, errors.New("passwords do not match")
	}
	return pw, nil
}
