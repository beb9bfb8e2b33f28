package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/engineconfig"
	"github.com/wardproject/ward/internal/registryauth"
)

// newLoginCommand is docker login: the credentials go to Docker's
// config file (or its credential helper), so one login serves both.
func newLoginCommand() *cobra.Command {
	var user, password string
	var passwordStdin bool
	cmd := &cobra.Command{
		Use:   "login [OPTIONS] [SERVER]",
		Short: "Log in to a registry (Docker Hub when no server is given)",
		Args:  cli.ArgsExitOne(cobra.MaximumNArgs(1)),
		RunE: cli.ExitOne(func(cmd *cobra.Command, args []string) error {
			server := ""
			if len(args) == 1 {
				server = args[0]
			}
			if password != "" && !passwordStdin {
				fmt.Fprintln(os.Stderr, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.")
			}
			u, p, err := registryauth.Credentials(user, password, passwordStdin, os.Stdin, os.Stderr)
			if err != nil {
				return err
			}
			opts, err := engineconfig.RegistryAuthOptions(server)
			if err != nil {
				return err
			}
			where, err := registryauth.Login(cmd.Context(), server, u, p, opts)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "Credentials stored in %s\n", where)
			fmt.Println("Login Succeeded")
			return nil
		}),
	}
	cmd.Flags().StringVarP(&user, "username", "u", "", "username")
	cmd.Flags().StringVarP(&password, "password", "p", "", "password (prefer --password-stdin)")
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "take the password from stdin")
	return cmd
}

func newLogoutCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "logout [SERVER]",
		Short: "Log out from a registry (Docker Hub when no server is given)",
		Args:  cli.ArgsExitOne(cobra.MaximumNArgs(1)),
		RunE: cli.ExitOne(func(cmd *cobra.Command, args []string) error {
			server := ""
			if len(args) == 1 {
				server = args[0]
			}
			key := registryauth.ServerKey(server)
			found, err := registryauth.Logout(server, registryauth.Options{})
			if err != nil {
				return err
			}
			if !found {
				fmt.Printf("Not logged in to %s\n", key)
				return nil
			}
			fmt.Printf("Removing login credentials for %s\n", key)
			return nil
		}),
	}
}
