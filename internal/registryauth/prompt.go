package registryauth

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// Credentials completes user and password as docker login does:
// --password-stdin reads the password (to its first newline) from
// stdin; a missing username or password is asked for on the terminal,
// the password without echo; without a terminal it is an error.
func Credentials(user, password string, passwordStdin bool, stdin *os.File, prompt io.Writer) (string, string, error) {
	if passwordStdin {
		if password != "" {
			return "", "", errors.New("--password and --password-stdin are mutually exclusive")
		}
		if user == "" {
			return "", "", errors.New("must provide --username with --password-stdin")
		}
		data, err := io.ReadAll(stdin)
		if err != nil {
			return "", "", fmt.Errorf("read password from stdin: %w", err)
		}
		password = strings.TrimRight(string(data), "\r\n")
	}
	if user != "" && password != "" {
		return user, password, nil
	}
	fd := int(stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", "", errors.New("cannot perform an interactive login from a non-tty device: give --username and --password-stdin")
	}
	if user == "" {
		fmt.Fprint(prompt, "Username: ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", "", fmt.Errorf("read username: %w", err)
		}
		user = strings.TrimSpace(line)
	}
	if password == "" {
		fmt.Fprint(prompt, "Password: ")
		p, err := term.ReadPassword(fd)
		fmt.Fprintln(prompt)
		if err != nil {
			return "", "", fmt.Errorf("read password: %w", err)
		}
		password = string(p)
	}
	if user == "" || password == "" {
		return "", "", errors.New("login: a username and a password are required")
	}
	return user, password, nil
}
