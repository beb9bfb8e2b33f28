// Package verbs runs ward's trust verbs, with cosign's flags, outputs and
// exit statuses: key generate, sign and verify, and trust-verify, the
// verification `ward pull` asks for under a trust policy. cmd/ward-trust
// declares their flags and calls one function per verb.
package verbs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/jsonout"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/trust"
	"github.com/wardproject/ward/internal/trust/keys"
	"github.com/wardproject/ward/internal/trust/localsig"
	"github.com/wardproject/ward/internal/trust/policy"
	"github.com/wardproject/ward/internal/trust/record"
)

// Stdio is where a verb reads passwords (a terminal, or COSIGN_PASSWORD's
// absence read from stdin) and writes: its result on Stdout, what cosign
// says to people on Stderr.
type Stdio struct {
	Stdin          *os.File
	Stdout, Stderr io.Writer
}

// KeyGenerate writes the key pair PREFIX.key (cosign's encrypted format)
// and PREFIX.pub, not over existing files unless force.
func KeyGenerate(std Stdio, prefix string, force bool) error {
	priv, pub := prefix+".key", prefix+".pub"
	if !force {
		for _, p := range []string{priv, pub} {
			if _, err := os.Lstat(p); err == nil {
				return fmt.Errorf("key generate: %s exists (remove it or use --force)", p)
			}
		}
	}
	pw, err := keys.Password(std.Stdin, std.Stderr, true)
	if err != nil {
		return fmt.Errorf("key generate: %w", err)
	}
	pair, err := keys.Generate(pw)
	if err != nil {
		return err
	}
	if err := os.WriteFile(priv, pair.PrivatePEM, 0o600); err != nil {
		return fmt.Errorf("key generate: %w", err)
	}
	if err := os.WriteFile(pub, pair.PublicPEM, 0o644); err != nil {
		os.Remove(priv)
		return fmt.Errorf("key generate: %w", err)
	}
	fmt.Fprintf(std.Stderr, "Private key written to %s\nPublic key written to %s\n", priv, pub)
	return nil
}

// SignOptions are ward sign's flags.
type SignOptions struct {
	Key, Certificate, CertificateChain string
	// Local signs the image in ward's store; the signature stays there
	// until ward push sends it.
	Local bool
	// NewBundle stores a Sigstore bundle as an OCI 1.1 referrer.
	NewBundle bool
}

// Sign signs the image arg names, in its registry or (Local) in ward's
// store under root.
func Sign(std Stdio, root rootdir.Layout, arg string, o SignOptions) error {
	if o.Key == "" {
		return errors.New("sign: --key is required")
	}
	var ref name.Reference
	var manifest v1.Hash
	var err error
	if o.Local {
		ref, manifest, err = LocalImage(root, arg)
	} else {
		ref, err = image.ParseReference(arg)
	}
	if err != nil {
		return err
	}
	signer, err := loadSigner(std, o.Key)
	if err != nil {
		return err
	}
	var cert trust.Certificate
	if o.Certificate != "" {
		if cert.Cert, err = keys.ReadFile(o.Certificate); err != nil {
			return err
		}
	}
	if o.CertificateChain != "" {
		if o.Certificate == "" {
			return errors.New("sign: --certificate-chain needs --certificate")
		}
		if cert.Chain, err = keys.ReadFile(o.CertificateChain); err != nil {
			return err
		}
	}
	if o.NewBundle && o.Local {
		return errors.New("sign: --new-bundle-format is for a registry's referrers, not --local")
	}
	if o.NewBundle {
		digest, err := trust.Registry{}.SignBundle(context.Background(), ref, signer, cert)
		if err != nil {
			return err
		}
		fmt.Fprintf(std.Stderr, "Bundle stored as a referrer of %s\n", digest)
		return nil
	}
	if !o.Local {
		digest, err := trust.Registry{}.Sign(context.Background(), ref, signer, cert)
		if err != nil {
			return err
		}
		fmt.Fprintf(std.Stderr, "Pushing signature to: %s\n", digest.Context())
		return nil
	}
	digest := ref.Context().Digest(manifest.String())
	base, err := localsig.Read(root.Root(), manifest)
	if errors.Is(err, localsig.ErrNone) {
		base = trust.EmptySignatureImage()
	} else if err != nil {
		return err
	}
	sig, err := trust.AddSignature(base, digest, digest.Context().Name(), signer, cert)
	if err != nil {
		return err
	}
	if err := localsig.Write(root.Root(), manifest, sig); err != nil {
		return err
	}
	fmt.Fprintf(std.Stderr, "Signature of %s kept in ward's store (ward push sends it)\n", digest)
	return nil
}

// VerifyOptions are ward verify's flags.
type VerifyOptions struct {
	// Key is the public key the signatures must verify with; with
	// neither it nor Keyless, the trust policy in ward's config decides.
	Key string
	// Local verifies the image and signatures in ward's store.
	Local   bool
	Keyless Keyless
}

// Verify verifies the signatures of the image arg names, offline, and
// prints what cosign prints: the verified payloads on Stdout, the checks
// on Stderr; under the trust policy, the verification record (kept, for
// a local image, for ward run).
func Verify(std Stdio, root rootdir.Layout, arg string, o VerifyOptions) error {
	var ref name.Reference
	var manifest v1.Hash
	var err error
	if o.Local {
		ref, manifest, err = LocalImage(root, arg)
	} else {
		ref, err = image.ParseReference(arg)
	}
	if err != nil {
		return err
	}
	ctx := context.Background()
	reg := trust.Registry{}
	var digest name.Digest
	verifyWith := reg.RegistryVerifier(ctx)
	if o.Local {
		digest = ref.Context().Digest(manifest.String())
		verifyWith = trust.ImageVerifier(func() (v1.Image, error) { return localsig.Read(root.Root(), manifest) })
	} else if digest, err = reg.Resolve(ctx, ref); err != nil {
		return fmt.Errorf("verify %s: %w", arg, err)
	}
	var check trust.Checker
	switch {
	case o.Key != "" && o.Keyless.Set():
		return errors.New("verify: --key and the keyless flags (--certificate-identity, --trusted-root, ...) exclude each other")
	case o.Key != "":
		if check, err = LoadKeyChecker(o.Key); err != nil {
			return err
		}
	case o.Keyless.Set():
		if check, err = o.Keyless.Checker(); err != nil {
			return err
		}
	default:
		return verifyUnderPolicy(std, root, arg, ref, digest, manifest, verifyWith)
	}
	v, err := verifyWith(digest, check)
	if err != nil {
		return fmt.Errorf("verify %s: %w", arg, err)
	}
	return printVerified(std, arg, v)
}

// verifyUnderPolicy verifies against the trust policy in ward's config;
// a local image's verification is recorded for ward run.
func verifyUnderPolicy(std Stdio, root rootdir.Layout, arg string, ref name.Reference, digest name.Digest, manifest v1.Hash, verifyWith trust.DigestVerifier) error {
	path, err := policy.ConfigPath()
	if err != nil {
		return err
	}
	if path == "" {
		return errors.New("verify: no --key, and ward's config names no trust-policy")
	}
	pol, err := policy.Read(path)
	if err != nil {
		return err
	}
	rec, err := trust.VerifyPolicy(pol, ref, digest, verifyWith)
	if err != nil {
		return fmt.Errorf("verify %s: %w", arg, err)
	}
	if manifest.Hex != "" {
		rec.Manifest, rec.Source = manifest.String(), "local"
		if err := record.Write(root.Root(), rec); err != nil {
			return err
		}
	}
	return jsonout.Write(std.Stdout, rec)
}

// printVerified prints what cosign prints: the checks on stderr, the
// payloads as a JSON array on stdout.
func printVerified(std Stdio, arg string, v trust.Verified) error {
	fmt.Fprintf(std.Stderr, "\nVerification for %s --\nThe following checks were performed on each of these signatures:\n"+
		"  - The cosign claims were validated\n  - The signatures were verified against %s\n", arg, v.Signer)
	out, err := json.Marshal(v.Payloads)
	if err != nil {
		return err
	}
	fmt.Fprintln(std.Stdout, string(out))
	return nil
}

// TrustVerify is what ward pull runs when its trust policy asks for a
// signature: verify arg (a NAME@DIGEST) for the name the user pulled
// (used), under the policy's requirements for that name, and print the
// record to keep as JSON.
func TrustVerify(std Stdio, policyPath, used, arg string) error {
	digest, err := name.NewDigest(arg)
	if err != nil {
		return fmt.Errorf("trust-verify: %w", err)
	}
	ref, err := image.ParseReference(used)
	if err != nil {
		return err
	}
	pol, err := policy.Read(policyPath)
	if err != nil {
		return err
	}
	rec, err := trust.VerifyPolicy(pol, ref, digest, trust.Registry{}.RegistryVerifier(context.Background()))
	if err != nil {
		return fmt.Errorf("verify %s: %w", used, err)
	}
	return json.NewEncoder(std.Stdout).Encode(rec)
}

// LocalImage finds an image in ward's store under root: the name it is
// signed under (the one given, else its first tag) and its manifest
// digest.
func LocalImage(root rootdir.Layout, arg string) (name.Reference, v1.Hash, error) {
	s, err := store.Open(root.Images())
	if err != nil {
		return nil, v1.Hash{}, err
	}
	img, err := s.Get(arg)
	if err != nil {
		return nil, v1.Hash{}, fmt.Errorf("image %s: %w", arg, err)
	}
	if ref, err := image.ParseReference(arg); err == nil && slices.Contains(append(img.RepoTags, img.RepoDigests...), ref.Name()) {
		return ref, img.Manifest, nil
	}
	for _, t := range img.RepoTags {
		if ref, err := image.ParseReference(t); err == nil {
			return ref, img.Manifest, nil
		}
	}
	return nil, v1.Hash{}, fmt.Errorf("image %s has no name to sign or verify it under: tag it first (ward tag)", arg)
}

// loadSigner reads a private key in cosign's encrypted format, asking for
// its password.
func loadSigner(std Stdio, path string) (signature.Signer, error) {
	b, err := keys.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pw, err := keys.Password(std.Stdin, std.Stderr, false)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", path, err)
	}
	sv, err := keys.ParsePrivate(b, pw)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", path, err)
	}
	return sv, nil
}

// LoadKeyChecker reads a PEM public key the signatures must verify with.
func LoadKeyChecker(path string) (trust.KeyChecker, error) {
	b, err := keys.ReadFile(path)
	if err != nil {
		return trust.KeyChecker{}, err
	}
	v, pub, err := keys.ParsePublic(b)
	if err != nil {
		return trust.KeyChecker{}, fmt.Errorf("key %s: %w", path, err)
	}
	return trust.KeyChecker{Verifier: v, Public: pub}, nil
}

// Keyless are cosign verify's flags for certificate signatures.
type Keyless struct {
	Identity, IdentityRegexp, Issuer, IssuerRegexp, TrustedRoot string
	RequireTlog                                                 bool
}

// Set reports whether any keyless flag that names what to trust is given.
func (k Keyless) Set() bool {
	return k.Identity != "" || k.IdentityRegexp != "" || k.Issuer != "" || k.IssuerRegexp != "" || k.TrustedRoot != ""
}

// Checker is the certificate checker the flags ask for; ward works
// offline, so a trusted root must be named.
func (k Keyless) Checker() (trust.Checker, error) {
	if k.TrustedRoot == "" {
		return nil, errors.New("verify: keyless verification needs --trusted-root (ward works offline: no root is fetched)")
	}
	b, err := os.ReadFile(k.TrustedRoot)
	if err != nil {
		return nil, fmt.Errorf("trusted root: %w", err)
	}
	return trust.NewCertChecker(b, k.Identity, k.IdentityRegexp, k.Issuer, k.IssuerRegexp, k.RequireTlog)
}
