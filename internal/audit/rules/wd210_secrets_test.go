package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestSecretInEnvironment(t *testing.T) {
	env := func(k workload.Kind, vars ...workload.EnvVar) workload.Workload {
		w := hardened(k)
		w.Env = vars
		return w
	}
	e := func(name, value string) workload.EnvVar { return workload.EnvVar{Name: name, Value: value, Line: 7} }
	runCases(t, SecretInEnvironment, audit.Settings{}, []ruleCase{
		{"password", env(workload.KindCompose, e("DB_PASSWORD", "hunter22")), 1},
		{"api key", env(workload.KindKubernetes, e("STRIPE_API_KEY", "abcd1234efgh")), 1},
		{"aws key by value", env(workload.KindInspect, e("FOO", "AKIAABCDEFGHIJKLMNOP")), 1},
		{"build arg", env(workload.KindDockerfile, workload.EnvVar{Name: "NPM_TOKEN", Value: "npm_abcdefabcdef", Build: true}), 1},
		{"file path", env(workload.KindCompose, e("DB_PASSWORD_FILE", "/run/secrets/db")), 0},
		{"variable reference", env(workload.KindCompose, e("DB_PASSWORD", "${DB_PASSWORD}")), 0},
		{"empty", env(workload.KindDockerfile, e("TOKEN", "")), 0},
		{"ordinary", env(workload.KindDockerfile, e("PATH", "/usr/bin"), e("MODE", "prod")), 0},
		{"placeholder", env(workload.KindKubernetes, e("ADMIN_PASSWORD", "changeme")), 0},
	})
}
