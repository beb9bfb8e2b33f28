package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/engineconfig"
	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/change"
	"github.com/wardproject/ward/internal/image/registry"
	"github.com/wardproject/ward/internal/image/rmi"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/imageview"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/progressbar"
	"github.com/wardproject/ward/internal/prune"
	"github.com/wardproject/ward/internal/pull"
	"github.com/wardproject/ward/internal/trust/enforce"
)

// newImageCommand is `ward image`, grouping the image verbs as docker
// does (image ls, image rm, image inspect, ...; main.go lists them at the
// top too).
func newImageCommand() *cobra.Command {
	group := &cobra.Command{Use: "image", Short: "Manage images"}
	group.AddCommand(
		newImageInspectCommand(),
		cli.Renamed(newImagesCommand(), "ls", "list"),
		cli.Renamed(newRmiCommand(), "rm", "remove"),
		newTagCommand(), newPullCommand(), newPushCommand(),
		newImportCommand(), newLoadCommand(), newSaveCommand(),
		newImagePruneCommand(),
	)
	return group
}

func newImportCommand() *cobra.Command {
	var changes []string
	var message string
	cmd := &cobra.Command{
		Use:   "import FILE|- [REPOSITORY[:TAG]]",
		Short: "Create an image from a root filesystem tarball (plain, gzip or zstd)",
		Long: `Create a single-layer image from a root filesystem tarball, like docker import.
The tar is stored as given: modes, owners, setuid bits and extended attributes
(security.capability included) are kept. --change sets CMD, ENTRYPOINT, ENV,
USER, WORKDIR, EXPOSE or LABEL as a Dockerfile line would.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: cli.ExitOne(func(cmd *cobra.Command, args []string) error {
			opts := store.ImportOptions{Comment: message}
			if opts.Comment == "" && args[0] != "-" {
				opts.Comment = "imported from " + args[0]
			}
			if len(args) == 2 {
				tag, err := image.ParseTag(args[1])
				if err != nil {
					return err
				}
				opts.Ref = &tag
			}
			for _, c := range changes {
				if err := change.Apply(&opts.Config, c); err != nil {
					return err
				}
			}
			in := cmd.InOrStdin()
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return fmt.Errorf("import: %w", err)
				}
				defer f.Close()
				in = f
			}
			s, err := open.Images(cli.Layout())
			if err != nil {
				return err
			}
			bar := progressbar.New(os.Stderr, "importing")
			img, err := s.Import(cmd.Context(), in, opts, bar.Progress())
			bar.Finish()
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), img.ID)
			return nil
		}),
	}
	cmd.Flags().StringArrayVarP(&changes, "change", "c", nil, "apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, USER, WORKDIR, EXPOSE, LABEL)")
	cmd.Flags().StringVarP(&message, "message", "m", "", "history comment of the imported layer")
	return cmd
}

func newLoadCommand() *cobra.Command {
	var input string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "load -i FILE",
		Short: "Load images from a docker-save or OCI layout archive",
		Args:  cobra.NoArgs,
		RunE: cli.ExitOne(func(cmd *cobra.Command, args []string) error {
			path := input
			if path == "" || path == "-" {
				// The archive is read several times (once per image): spool stdin.
				if f, ok := cmd.InOrStdin().(*os.File); ok && term.IsTerminal(int(f.Fd())) {
					return errors.New("load: requested load from stdin, but stdin is a terminal; use -i FILE")
				}
				tmp, err := os.CreateTemp("", "ward-load-*.tar")
				if err != nil {
					return err
				}
				defer os.Remove(tmp.Name())
				_, err = io.Copy(tmp, cmd.InOrStdin())
				if cerr := tmp.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					return fmt.Errorf("load: reading stdin: %w", err)
				}
				path = tmp.Name()
			}
			s, err := open.Images(cli.Layout())
			if err != nil {
				return err
			}
			var bar *progressbar.Bar
			if !quiet {
				bar = progressbar.New(os.Stderr, "loading")
			}
			loaded, err := s.Load(cmd.Context(), path, bar.Progress())
			bar.Finish()
			for _, l := range loaded {
				if len(l.Refs) == 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "Loaded image ID: %s\n", l.Image.ID)
				}
				for _, r := range l.Refs {
					fmt.Fprintf(cmd.OutOrStdout(), "Loaded image: %s\n", image.Familiar(r))
				}
			}
			return err
		}),
	}
	cmd.Flags().StringVarP(&input, "input", "i", "", "read from this archive instead of standard input")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	return cmd
}

func newSaveCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "save [-o FILE] IMAGE...",
		Short: "Save images to a docker-save archive (docker load reads it)",
		Args:  cobra.MinimumNArgs(1),
		RunE: cli.ExitOne(func(cmd *cobra.Command, args []string) error {
			s, err := open.Images(cli.Layout())
			if err != nil {
				return err
			}
			refs, err := s.SaveRefs(args)
			if err != nil {
				return err
			}
			var w io.Writer = cmd.OutOrStdout()
			if output == "" || output == "-" {
				if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
					return errors.New("save: refusing to write an archive to a terminal; use -o FILE or redirect")
				}
				return tarball.MultiRefWrite(refs, w)
			}
			return store.WriteSaveFile(refs, output)
		}),
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of standard output")
	return cmd
}

func newImagesCommand() *cobra.Command {
	var quiet, noTrunc, digests bool
	var tmplText string
	var filters []string
	cmd := &cobra.Command{
		Use:   "images [-q] [--no-trunc] [--digests] [--filter KEY=VALUE] [--format TEMPLATE|json] [REPOSITORY[:TAG]]",
		Short: "List images",
		Args:  cobra.MaximumNArgs(1),
		RunE: cli.ExitOne(func(cmd *cobra.Command, args []string) error {
			return imageview.List(cli.Layout(), cmd.OutOrStdout(), imageview.ListOptions{
				Quiet: quiet, NoTrunc: noTrunc, Digests: digests, Format: tmplText, Filters: filters, Args: args,
			})
		}),
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "only show image IDs")
	cmd.Flags().BoolVar(&noTrunc, "no-trunc", false, "show full image IDs")
	cmd.Flags().BoolVar(&digests, "digests", false, "show digests")
	cmd.Flags().StringArrayVarP(&filters, "filter", "f", nil, "filter: reference, dangling, label, before, since")
	cmd.Flags().StringVar(&tmplText, "format", "", "a Go template (Docker's fields and functions, table), or json")
	return cmd
}

func newRmiCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "rmi [-f] IMAGE...",
		Short: "Remove images (untag; delete when no tag is left)",
		Args:  cobra.MinimumNArgs(1),
		RunE: cli.ExitOne(func(cmd *cobra.Command, args []string) error {
			s, err := open.Images(cli.Layout())
			if err != nil {
				return err
			}
			var errs []error
			for _, a := range args {
				if err := rmi.Remove(cmd.OutOrStdout(), cli.Layout(), s, a, force); err != nil {
					errs = append(errs, err)
				}
			}
			if err := prune.Layers(cli.Layout(), s); err != nil {
				errs = append(errs, fmt.Errorf("pruning unpacked layers: %w", err))
			}
			if err := enforce.Prune(cli.Layout(), s); err != nil {
				errs = append(errs, fmt.Errorf("pruning trust records: %w", err))
			}
			return errors.Join(errs...)
		}),
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "remove an image with several tags by ID")
	return cmd
}

func newTagCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
		Short: "Give an image another name",
		Args:  cobra.ExactArgs(2),
		RunE: cli.ExitOne(func(cmd *cobra.Command, args []string) error {
			tag, err := image.ParseTag(args[1])
			if err != nil {
				return err
			}
			s, err := open.Images(cli.Layout())
			if err != nil {
				return err
			}
			return s.Tag(args[0], tag)
		}),
	}
}

func newPullCommand() *cobra.Command {
	var quiet bool
	var platform string
	cmd := &cobra.Command{
		Use:   "pull NAME[:TAG|@DIGEST]",
		Short: "Pull an image from a registry (credentials from the Docker config file)",
		Args:  cobra.ExactArgs(1),
		RunE: cli.ExitOne(func(cmd *cobra.Command, args []string) error {
			var progress io.Writer = os.Stderr
			if quiet {
				progress = nil
			}
			ref, err := pull.Image(cmd.Context(), cli.Layout(), args[0], platform, progress, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), ref)
			return nil
		}),
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only the reference")
	cmd.Flags().StringVar(&platform, "platform", "", "OS/ARCH[/VARIANT] to pull from a multi-platform image")
	return cmd
}

func newPushCommand() *cobra.Command {
	var quiet bool
	cmd := &cobra.Command{
		Use:   "push NAME[:TAG]",
		Short: "Push an image to a registry (credentials from the Docker config file)",
		Args:  cobra.ExactArgs(1),
		RunE: cli.ExitOne(func(cmd *cobra.Command, args []string) error {
			ref, err := image.ParseReference(args[0])
			if err != nil {
				return err
			}
			s, err := open.Images(cli.Layout())
			if err != nil {
				return err
			}
			img, _, err := s.Image(args[0])
			if err != nil {
				return err
			}
			ropts, err := engineconfig.RegistryOptions()
			if err != nil {
				return err
			}
			var bar *progressbar.Bar
			if !quiet {
				bar = progressbar.New(os.Stderr, "pushing "+image.Familiar(ref.Name()))
			}
			ropts.Progress = bar.Updates()
			err = registry.Push(cmd.Context(), ref, img, ropts)
			bar.Finish()
			if err != nil {
				return err
			}
			digest, _ := img.Digest()
			size, _ := img.Size()
			fmt.Fprintf(cmd.OutOrStdout(), "%s: digest: %s size: %d\n", ref.Identifier(), digest, size)
			// Signatures made with ward sign --local go with the image.
			return enforce.PushSignatures(cmd.Context(), cli.Layout(), cmd.OutOrStdout(), ref, digest)
		}),
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	return cmd
}
