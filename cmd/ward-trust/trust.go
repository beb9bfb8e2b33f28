package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/trust"
	"github.com/wardproject/ward/internal/trust/keys"
	"github.com/wardproject/ward/internal/trust/localsig"
	"github.com/wardproject/ward/internal/trust/policy"
	"github.com/wardproject/ward/internal/trust/record"
)

// The trust verbs: ward key generate, ward sign, ward verify. Their flags
// are cosign's; like cosign they exit 1 on any failure.

// trustRunE makes a trust verb exit 1, as cosign does.
func trustRunE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return exitstatus.Always(1, fn)
}

func newKeyCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "key", Short: "Manage signing keys (cosign's formats)"}
	cmd.AddCommand(newKeyGenerateCommand())
	return cmd
}

func newKeyGenerateCommand() *cobra.Command {
	var prefix string
	var force bool
	cmd := &cobra.Command{
		Use:   "generate [--output-key-prefix P]",
		Short: "Write a key pair: P.key (cosign's encrypted format) and P.pub",
		Long: `Write an ECDSA P-256 key pair as cosign generate-key-pair does: P.key, the
private key encrypted with a password, and P.pub, the PEM public key.
The password is COSIGN_PASSWORD when set (set but empty: an empty
password), else asked twice on the terminal, else read from stdin.`,
		Args: cobra.NoArgs,
		RunE: trustRunE(func(cmd *cobra.Command, args []string) error {
			priv, pub := prefix+".key", prefix+".pub"
			if !force {
				for _, p := range []string{priv, pub} {
					if _, err := os.Lstat(p); err == nil {
						return fmt.Errorf("key generate: %s exists (remove it or use --force)", p)
					}
				}
			}
			pw, err := keys.Password(os.Stdin, cmd.ErrOrStderr(), true)
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
			fmt.Fprintf(cmd.ErrOrStderr(), "Private key written to %s\nPublic key written to %s\n", priv, pub)
			return nil
		}),
	}
	cmd.Flags().StringVar(&prefix, "output-key-prefix", "cosign", "name of the key files, without .key and .pub")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "overwrite existing key files")
	return cmd
}

func newSignCommand() *cobra.Command {
	var keyPath, certPath, chainPath string
	var local, newBundle bool
	cmd := &cobra.Command{
		Use:   "sign --key KEY [--local] IMAGE",
		Short: "Sign an image in its registry, as cosign sign does (no transparency log)",
		Long: `Sign the image that IMAGE names now (a tag is resolved to its digest) and store
the signature in its repository under the tag sha256-<digest>.sig, in the
format cosign writes and reads: cosign verify --key KEY.pub
--insecure-ignore-tlog=true accepts it. ward contacts neither Rekor nor
Fulcio. With --local, sign the image in ward's store instead: the signature
is kept in the store and ward push sends it with the image. Exits 0 once
the signature is stored, else 1.`,
		Args: cobra.ExactArgs(1),
		RunE: trustRunE(func(cmd *cobra.Command, args []string) error {
			if keyPath == "" {
				return errors.New("sign: --key is required")
			}
			var ref name.Reference
			var manifest v1.Hash
			var err error
			if local {
				ref, manifest, err = localImage(args[0])
			} else {
				ref, err = image.ParseReference(args[0])
			}
			if err != nil {
				return err
			}
			signer, err := loadSigner(cmd, keyPath)
			if err != nil {
				return err
			}
			var cert trust.Certificate
			if certPath != "" {
				if cert.Cert, err = keys.ReadFile(certPath); err != nil {
					return err
				}
			}
			if chainPath != "" {
				if certPath == "" {
					return errors.New("sign: --certificate-chain needs --certificate")
				}
				if cert.Chain, err = keys.ReadFile(chainPath); err != nil {
					return err
				}
			}
			if newBundle && local {
				return errors.New("sign: --new-bundle-format is for a registry's referrers, not --local")
			}
			if newBundle {
				digest, err := trust.Registry{}.SignBundle(context.Background(), ref, signer, cert)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "Bundle stored as a referrer of %s\n", digest)
				return nil
			}
			if !local {
				digest, err := trust.Registry{}.Sign(context.Background(), ref, signer, cert)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "Pushing signature to: %s\n", digest.Context())
				return nil
			}
			digest := ref.Context().Digest(manifest.String())
			base, err := localsig.Read(wardRoot(), manifest)
			if errors.Is(err, localsig.ErrNone) {
				base = trust.EmptySignatureImage()
			} else if err != nil {
				return err
			}
			sig, err := trust.AddSignature(base, digest, digest.Context().Name(), signer, cert)
			if err != nil {
				return err
			}
			if err := localsig.Write(wardRoot(), manifest, sig); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "Signature of %s kept in ward's store (ward push sends it)\n", digest)
			return nil
		}),
	}
	cmd.Flags().StringVar(&keyPath, "key", "", "private key (cosign's encrypted format)")
	cmd.Flags().StringVar(&certPath, "certificate", "", "the key's X.509 certificate (PEM), attached for keyless verification")
	cmd.Flags().StringVar(&chainPath, "certificate-chain", "", "the certificate's CA chain (PEM), from its issuer to the root")
	cmd.Flags().BoolVar(&local, "local", false, "sign the image in ward's store, not in its registry")
	cmd.Flags().BoolVar(&newBundle, "new-bundle-format", false, "store a Sigstore bundle as an OCI 1.1 referrer (cosign's second form) instead of the sha256-<digest>.sig tag")
	return cmd
}

func newVerifyCommand() *cobra.Command {
	var keyPath string
	var ignoreTlog, local bool
	var kl keylessFlags
	cmd := &cobra.Command{
		Use:   "verify [--key PUB] [--local] IMAGE",
		Short: "Verify an image's signatures in its registry, as cosign verify does",
		Long: `Verify the signatures of the image IMAGE names now, offline, against the
public key PUB. Exits 0 only when a signature made with that key names the
image's digest, printing the verified payloads as JSON on stdout (as cosign
does); exits 1 otherwise: no signature, wrong key, a tag moved to another
image, a malformed signature or one over 1 MiB, an unreadable key.

Without --key, the image is verified against the trust policy that
trust-policy in ward's config names, and the verification is printed.
With --local, the image and signatures are those in ward's store; without
--key, the verification is then recorded, and ward run accepts the image
under that trust policy.`,
		Args: cobra.ExactArgs(1),
		RunE: trustRunE(func(cmd *cobra.Command, args []string) error {
			var ref name.Reference
			var manifest v1.Hash
			var err error
			if local {
				ref, manifest, err = localImage(args[0])
			} else {
				ref, err = image.ParseReference(args[0])
			}
			if err != nil {
				return err
			}
			ctx := context.Background()
			reg := trust.Registry{}
			var digest name.Digest
			verifyWith := reg.RegistryVerifier(ctx)
			if local {
				digest = ref.Context().Digest(manifest.String())
				verifyWith = trust.ImageVerifier(func() (v1.Image, error) { return localsig.Read(wardRoot(), manifest) })
			} else if digest, err = reg.Resolve(ctx, ref); err != nil {
				return fmt.Errorf("verify %s: %w", args[0], err)
			}
			var check trust.Checker
			switch {
			case keyPath != "" && kl.set():
				return errors.New("verify: --key and the keyless flags (--certificate-identity, --trusted-root, ...) exclude each other")
			case keyPath != "":
				if check, err = loadKeyChecker(keyPath); err != nil {
					return err
				}
			case kl.set():
				if check, err = kl.checker(); err != nil {
					return err
				}
			default:
				return verifyUnderPolicy(cmd, args[0], ref, digest, manifest, verifyWith)
			}
			v, err := verifyWith(digest, check)
			if err != nil {
				return fmt.Errorf("verify %s: %w", args[0], err)
			}
			return printVerified(cmd, args[0], v)
		}),
	}
	cmd.Flags().StringVar(&keyPath, "key", "", "public key (PEM) the signatures must verify with (default: the trust policy's)")
	cmd.Flags().BoolVar(&local, "local", false, "verify the image and signatures in ward's store")
	kl.register(cmd)
	// ward never reads a transparency log; the flag is accepted so that
	// cosign's command lines work unchanged.
	cmd.Flags().BoolVar(&ignoreTlog, "insecure-ignore-tlog", false, "accepted for cosign compatibility: ward never contacts a transparency log")
	cmd.Flags().BoolVar(&ignoreTlog, "new-bundle-format", false, "accepted for cosign compatibility: ward reads both forms")
	return cmd
}

// verifyUnderPolicy verifies against the trust policy in ward's config;
// a local image's verification is recorded for ward run.
func verifyUnderPolicy(cmd *cobra.Command, arg string, ref name.Reference, digest name.Digest, manifest v1.Hash, verifyWith trust.DigestVerifier) error {
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
		if err := record.Write(wardRoot(), rec); err != nil {
			return err
		}
	}
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetIndent("", "  ")
	return enc.Encode(rec)
}

// localImage finds an image in ward's store: the name it is signed under
// (the one given, else its first tag) and its manifest digest.
func localImage(arg string) (name.Reference, v1.Hash, error) {
	s, err := openImageStore()
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

// printVerified prints what cosign prints: the checks on stderr, the
// payloads as a JSON array on stdout.
func printVerified(cmd *cobra.Command, arg string, v trust.Verified) error {
	fmt.Fprintf(cmd.ErrOrStderr(), "\nVerification for %s --\nThe following checks were performed on each of these signatures:\n"+
		"  - The cosign claims were validated\n  - The signatures were verified against %s\n", arg, v.Signer)
	out, err := json.Marshal(v.Payloads)
	if err != nil {
		return err
	}
	fmt.Fprintln(cmd.OutOrStdout(), string(out))
	return nil
}

func loadSigner(cmd *cobra.Command, path string) (signature.Signer, error) {
	b, err := keys.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pw, err := keys.Password(os.Stdin, cmd.ErrOrStderr(), false)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", path, err)
	}
	sv, err := keys.ParsePrivate(b, pw)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", path, err)
	}
	return sv, nil
}

func loadKeyChecker(path string) (trust.KeyChecker, error) {
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

// newTrustVerifyCommand is what ward pull runs when its trust policy asks
// for a signature: verify DIGEST (a name@digest) for the name the user
// pulled, under the policy's requirements for that name, and print the
// record to keep as JSON. Hidden: users type ward pull.
func newTrustVerifyCommand() *cobra.Command {
	var policyPath, used string
	cmd := &cobra.Command{
		Use:    "trust-verify --trust-policy FILE --name REF NAME@DIGEST",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: trustRunE(func(cmd *cobra.Command, args []string) error {
			digest, err := name.NewDigest(args[0])
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
			return json.NewEncoder(cmd.OutOrStdout()).Encode(rec)
		}),
	}
	cmd.Flags().StringVar(&policyPath, "trust-policy", "", "trust policy file")
	cmd.Flags().StringVar(&used, "name", "", "the name the image is pulled as")
	return cmd
}

// keylessFlags are cosign verify's flags for certificate signatures.
type keylessFlags struct {
	identity, identityRegexp, issuer, issuerRegexp, trustedRoot string
	requireTlog                                                 bool
}

func (k *keylessFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&k.identity, "certificate-identity", "", "the signer identity the certificate must name (its SAN: an email or URI)")
	f.StringVar(&k.identityRegexp, "certificate-identity-regexp", "", "a regular expression the certificate's identity must match")
	f.StringVar(&k.issuer, "certificate-oidc-issuer", "", "the OIDC issuer the certificate must name")
	f.StringVar(&k.issuerRegexp, "certificate-oidc-issuer-regexp", "", "a regular expression the certificate's issuer must match")
	f.StringVar(&k.trustedRoot, "trusted-root", "", "trusted_root.json (sigstore's format) whose certificate authorities and logs are trusted")
	f.BoolVar(&k.requireTlog, "require-tlog", false, "require a transparency log entry with an inclusion proof, checked offline from the bundle")
}

func (k *keylessFlags) set() bool {
	return k.identity != "" || k.identityRegexp != "" || k.issuer != "" || k.issuerRegexp != "" || k.trustedRoot != ""
}

func (k *keylessFlags) checker() (trust.Checker, error) {
	if k.trustedRoot == "" {
		return nil, errors.New("verify: keyless verification needs --trusted-root (ward works offline: no root is fetched)")
	}
	b, err := os.ReadFile(k.trustedRoot)
	if err != nil {
		return nil, fmt.Errorf("trusted root: %w", err)
	}
	return trust.NewCertChecker(b, k.identity, k.identityRegexp, k.issuer, k.issuerRegexp, k.requireTlog)
}
