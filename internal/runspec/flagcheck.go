package runspec

import (
	"errors"
	"fmt"
	"strings"
)

// flagOrImage names where a value came from for an error message: the
// flag when the user gave it, else the image config's field (an error
// must not name a flag the user never passed).
func flagOrImage(flagValue, flag, imageField string) string {
	if flagValue != "" {
		return flag
	}
	return "the image's config " + imageField
}

// ErrInvalidEnv is an environment entry Docker refuses.
var ErrInvalidEnv = errors.New("invalid environment variable")

// CheckEnv refuses what Docker's ValidateEnv refuses (an empty name: "",
// "=x") and what no execve can carry (a NUL byte), naming the entry and
// where it came from (-e, --env-file PATH, the image).
func CheckEnv(env []string, from string) error {
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.ContainsRune(kv, 0):
			return fmt.Errorf("%w in %s: %q contains a NUL byte", ErrInvalidEnv, from, kv)
		case name == "":
			return fmt.Errorf("%w in %s: %q has no name", ErrInvalidEnv, from, kv)
		}
	}
	return nil
}

// minNanoCPUs is Docker's smallest --cpus (0.01): a smaller CFS quota is
// below the kernel's minimum of 1 ms per 100 ms period.
const minNanoCPUs = 1e7

// checkCPURange refuses --cpus outside what Docker accepts, with Docker's
// message.
func checkCPURange(v string, nano int64, cpus int) error {
	if nano == 0 || cpus <= 0 {
		return nil
	}
	if nano < minNanoCPUs || nano > int64(cpus)*1e9 {
		return fmt.Errorf("--cpus %s: range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available", v, cpus, cpus)
	}
	return nil
}
