package main

import (
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/trust/verbs"
)

// The trust verbs: ward key generate, ward sign, ward verify. Their flags
// are cosign's; like cosign they exit 1 on any failure (exitstatus.Always).
// internal/trust/verbs runs them.

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
		RunE: exitstatus.Always(1, func(cmd *cobra.Command, args []string) error {
			return verbs.KeyGenerate(verbs.Stdio{Stdin: os.Stdin, Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr()}, prefix, force)
		}),
	}
	cmd.Flags().StringVar(&prefix, "output-key-prefix", "cosign", "name of the key files, without .key and .pub")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "overwrite existing key files")
	return cmd
}

func newSignCommand() *cobra.Command {
	var o verbs.SignOptions
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
		RunE: exitstatus.Always(1, func(cmd *cobra.Command, args []string) error {
			return verbs.Sign(verbs.Stdio{Stdin: os.Stdin, Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr()}, cli.Layout(), args[0], o)
		}),
	}
	cmd.Flags().StringVar(&o.Key, "key", "", "private key (cosign's encrypted format)")
	cmd.Flags().StringVar(&o.Certificate, "certificate", "", "the key's X.509 certificate (PEM), attached for keyless verification")
	cmd.Flags().StringVar(&o.CertificateChain, "certificate-chain", "", "the certificate's CA chain (PEM), from its issuer to the root")
	cmd.Flags().BoolVar(&o.Local, "local", false, "sign the image in ward's store, not in its registry")
	cmd.Flags().BoolVar(&o.NewBundle, "new-bundle-format", false, "store a Sigstore bundle as an OCI 1.1 referrer (cosign's second form) instead of the sha256-<digest>.sig tag")
	return cmd
}

func newVerifyCommand() *cobra.Command {
	var o verbs.VerifyOptions
	var ignoreTlog bool
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
		RunE: exitstatus.Always(1, func(cmd *cobra.Command, args []string) error {
			return verbs.Verify(verbs.Stdio{Stdin: os.Stdin, Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr()}, cli.Layout(), args[0], o)
		}),
	}
	cmd.Flags().StringVar(&o.Key, "key", "", "public key (PEM) the signatures must verify with (default: the trust policy's)")
	cmd.Flags().BoolVar(&o.Local, "local", false, "verify the image and signatures in ward's store")
	registerKeylessFlags(cmd.Flags(), &o.Keyless)
	// ward never reads a transparency log; the flag is accepted so that
	// cosign's command lines work unchanged.
	cmd.Flags().BoolVar(&ignoreTlog, "insecure-ignore-tlog", false, "accepted for cosign compatibility: ward never contacts a transparency log")
	cmd.Flags().BoolVar(&ignoreTlog, "new-bundle-format", false, "accepted for cosign compatibility: ward reads both forms")
	return cmd
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
		RunE: exitstatus.Always(1, func(cmd *cobra.Command, args []string) error {
			return verbs.TrustVerify(verbs.Stdio{Stdin: os.Stdin, Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr()}, policyPath, used, args[0])
		}),
	}
	cmd.Flags().StringVar(&policyPath, "trust-policy", "", "trust policy file")
	cmd.Flags().StringVar(&used, "name", "", "the name the image is pulled as")
	return cmd
}

// registerKeylessFlags registers cosign verify's flags for certificate
// signatures.
func registerKeylessFlags(f *pflag.FlagSet, k *verbs.Keyless) {
	f.StringVar(&k.Identity, "certificate-identity", "", "the signer identity the certificate must name (its SAN: an email or URI)")
	f.StringVar(&k.IdentityRegexp, "certificate-identity-regexp", "", "a regular expression the certificate's identity must match")
	f.StringVar(&k.Issuer, "certificate-oidc-issuer", "", "the OIDC issuer the certificate must name")
	f.StringVar(&k.IssuerRegexp, "certificate-oidc-issuer-regexp", "", "a regular expression the certificate's issuer must match")
	f.StringVar(&k.TrustedRoot, "trusted-root", "", "trusted_root.json (sigstore's format) whose certificate authorities and logs are trusted")
	f.BoolVar(&k.RequireTlog, "require-tlog", false, "require a transparency log entry with an inclusion proof, checked offline from the bundle")
}
