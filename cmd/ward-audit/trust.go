package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/trust"
	"github.com/wardproject/ward/internal/trust/keys"
)

// The trust verbs: ward key generate, ward sign, ward verify. Their flags
// are cosign's; like cosign they exit 1 on any failure.

// trustError makes a trust verb exit 1, as cosign does.
type trustError struct{ err error }

func (e trustError) Error() string { return e.err.Error() }
func (e trustError) Unwrap() error { return e.err }
func (e trustError) ExitCode() int { return 1 }

func trustRunE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := fn(cmd, args); err != nil {
			return trustError{err}
		}
		return nil
	}
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
	var keyPath string
	cmd := &cobra.Command{
		Use:   "sign --key KEY IMAGE",
		Short: "Sign an image in its registry, as cosign sign does (no transparency log)",
		Long: `Sign the image that IMAGE names now (a tag is resolved to its digest) and store
the signature in its repository under the tag sha256-<digest>.sig, in the
format cosign writes and reads: cosign verify --key KEY.pub
--insecure-ignore-tlog=true accepts it. ward contacts neither Rekor nor
Fulcio. Exits 0 once the signature is stored, else 1.`,
		Args: cobra.ExactArgs(1),
		RunE: trustRunE(func(cmd *cobra.Command, args []string) error {
			if keyPath == "" {
				return errors.New("sign: --key is required")
			}
			ref, err := image.ParseReference(args[0])
			if err != nil {
				return err
			}
			signer, err := loadSigner(cmd, keyPath)
			if err != nil {
				return err
			}
			digest, err := trust.Registry{}.Sign(context.Background(), ref, signer)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "Pushing signature to: %s\n", digest.Context())
			return nil
		}),
	}
	cmd.Flags().StringVar(&keyPath, "key", "", "private key (cosign's encrypted format)")
	return cmd
}

func newVerifyCommand() *cobra.Command {
	var keyPath string
	var ignoreTlog bool
	cmd := &cobra.Command{
		Use:   "verify --key PUB IMAGE",
		Short: "Verify an image's signatures in its registry, as cosign verify does",
		Long: `Verify the signatures of the image IMAGE names now, offline, against the
public key PUB. Exits 0 only when a signature made with that key names the
image's digest, printing the verified payloads as JSON on stdout (as cosign
does); exits 1 otherwise: no signature, wrong key, a tag moved to another
image, a malformed signature or one over 1 MiB, an unreadable key.`,
		Args: cobra.ExactArgs(1),
		RunE: trustRunE(func(cmd *cobra.Command, args []string) error {
			if keyPath == "" {
				return errors.New("verify: --key is required")
			}
			ref, err := image.ParseReference(args[0])
			if err != nil {
				return err
			}
			check, err := loadKeyChecker(keyPath)
			if err != nil {
				return err
			}
			v, err := trust.Registry{}.Verify(context.Background(), ref, check)
			if err != nil {
				return fmt.Errorf("verify %s: %w", args[0], err)
			}
			return printVerified(cmd, args[0], v)
		}),
	}
	cmd.Flags().StringVar(&keyPath, "key", "", "public key (PEM) the signatures must verify with")
	// ward never reads a transparency log; the flag is accepted so that
	// cosign's command lines work unchanged.
	cmd.Flags().BoolVar(&ignoreTlog, "insecure-ignore-tlog", false, "accepted for cosign compatibility: ward never contacts a transparency log")
	return cmd
}

// printVerified prints what cosign prints: the checks on stderr, the
// payloads as a JSON array on stdout.
func printVerified(cmd *cobra.Command, arg string, v trust.Verified) error {
	fmt.Fprintf(cmd.ErrOrStderr(), "\nVerification for %s --\nThe following checks were performed on each of these signatures:\n"+
		"  - The cosign claims were validated\n  - The signatures were verified against the specified public key\n", arg)
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
