package rules

import (
	"regexp"
	"strings"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// SecretInEnvironment fires on environment variables and build arguments
// whose literal value looks like a secret.
var SecretInEnvironment = audit.Rule{
	ID:        "WD210",
	Checklist: audit.Secrets,
	Severity:  audit.High,
	Title:     "Secret in environment or build argument",
	Why:       "ENV and ARG values are stored in the image history and config for anyone who can pull it; environment variables of a running container show in inspect output, /proc and crash reports. A secret written in a file checked into git is leaked already.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Remove the value; at build time use `RUN --mount=type=secret,id=NAME`, at run time inject it from a secret store.",
		workload.KindCompose:    "Move the value to a `secrets:` entry (mounted as a file) or to an env_file kept out of version control.",
		workload.KindKubernetes: "Use `valueFrom.secretKeyRef` (or a mounted Secret volume) instead of a literal `value`.",
		workload.KindOCI:        "Remove the literal from `process.env`; mount the secret as a file.",
		workload.KindImage:      "Rebuild without the `ENV NAME=value`: the value is readable by anyone who can pull the image. Use `RUN --mount=type=secret` at build time and a mounted file at run time.",
		workload.KindInspect:    "Pass secrets as files (`--mount type=bind,src=...,ro` of a tmpfs secret, or an orchestrator's secrets), not `-e NAME=value`.",
	},
	Equivalents: []string{"dockle CIS-DI-0010"},
	Check:       checkSecrets,
}

var (
	secretName = regexp.MustCompile(`(?i)(passw(or)?d|passwd|secret|token|api_?key|access_?key|private_?key|credential|auth_?key|client_?secret|_pwd$|^pwd$)`)
	// secretValue matches well-known credential formats whatever the name.
	secretValue = regexp.MustCompile(`^(AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|xox[abposr]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{16,}|glpat-[A-Za-z0-9_-]{20,}|-----BEGIN [A-Z ]*PRIVATE KEY-----)`)
	// notSecretName: names that mention secrets but hold paths or switches.
	notSecretName = regexp.MustCompile(`(?i)(_file|_path|_dir|_url|_endpoint|_length|_ttl|_timeout|_expiry|_header|_type|_enabled|_name)$`)
)

func checkSecrets(w *workload.Workload, _ audit.Settings) []audit.Violation {
	var out []audit.Violation
	for _, e := range w.Env {
		if !looksSecret(e.Name, e.Value) {
			continue
		}
		what := "environment variable "
		if e.Build {
			what = "build argument "
		}
		out = append(out, audit.Violation{Message: what + e.Name + " holds a literal secret-looking value", Line: e.Line})
	}
	return out
}

func looksSecret(name, value string) bool {
	v := strings.TrimSpace(value)
	if v == "" {
		return false
	}
	if secretValue.MatchString(v) {
		return true
	}
	if !secretName.MatchString(name) || notSecretName.MatchString(name) {
		return false
	}
	switch {
	case strings.HasPrefix(v, "$"), strings.HasPrefix(v, "/"), strings.HasPrefix(v, "{{"):
		return false // a reference, a path or a template, not the secret
	case len(v) < 4:
		return false
	}
	switch strings.ToLower(v) {
	case "true", "false", "yes", "no", "none", "null", "changeme", "change-me", "xxx", "xxxx", "<secret>", "placeholder":
		return false
	}
	return true
}
