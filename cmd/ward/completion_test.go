package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// bashComplete runs ward's bash completion script as bash runs it on
// TAB: the words typed so far in COMP_WORDS, then __start_ward, and
// returns COMPREPLY.
func bashComplete(t *testing.T, w *wardEnv, words ...string) []string {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	// Cobra's bash script uses bash-completion's helpers, as every
	// distribution's completions do.
	const bashCompletion = "/usr/share/bash-completion/bash_completion"
	if _, err := os.Stat(bashCompletion); err != nil {
		t.Skip("bash-completion is not installed (scripts/install-deps.sh installs it)")
	}
	line := strings.Join(append([]string{"ward", "--root", w.root}, words...), " ")
	script := `source ` + bashCompletion + `
source <(ward completion bash) || exit 3
# compopt only works inside a completion bash itself started.
compopt() { :; }
COMP_WORDS=(` + line + `)
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="` + line + `"
COMP_POINT=${#COMP_LINE}
__start_ward
printf '%s\n' "${COMPREPLY[@]}"`
	if strings.HasSuffix(line, " ") || words[len(words)-1] == "" {
		script = strings.Replace(script, "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))", "COMP_WORDS+=(''); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))", 1)
	}
	cmd := exec.Command(bash, "-c", script)
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(w.bin)+":"+os.Getenv("PATH"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bash completion of %q: %v\n%s%s", line, err, out, stderr.String())
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			got = append(got, l)
		}
	}
	return got
}

// fishComplete asks fish what it would offer for line with ward's fish
// completion loaded (complete -C is fish's own TAB).
func fishComplete(t *testing.T, w *wardEnv, words ...string) []string {
	t.Helper()
	fish, err := exec.LookPath("fish")
	if err != nil {
		t.Skip("fish is not installed (scripts/install-deps.sh installs it)")
	}
	line := strings.Join(append([]string{"ward", "--root", w.root}, words...), " ")
	cmd := exec.Command(fish, "--no-config", "-c", "ward completion fish | source; complete -C '"+line+"'")
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(w.bin)+":"+os.Getenv("PATH"), "HOME="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("fish completion of %q: %v\n%s", line, err, out)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		// fish prints "candidate<TAB>description".
		if c, _, _ := strings.Cut(l, "\t"); c != "" {
			got = append(got, c)
		}
	}
	return got
}

// TestShellCompletion: TAB after the verbs offers ward's own containers,
// images, volumes and networks, not file names, in bash and fish.
func TestShellCompletion(t *testing.T) {
	w := newWardEnv(t)
	w.must(t, "create", "--name", "webfront", "busybox", "true")
	w.must(t, "create", "--name", "worker", "busybox", "true")
	w.must(t, "tag", "busybox", "mytools:1")
	w.must(t, "volume", "create", "cachevol")
	defer w.run(t, nil, "rm", "-f", "webfront", "worker")
	defer w.run(t, nil, "volume", "rm", "cachevol")

	check := func(want string, words ...string) {
		t.Helper()
		if got := strings.Join(bashComplete(t, w, words...), " "); got != want {
			t.Errorf("ward %s<TAB> = %q, want %q", strings.Join(words, " "), got, want)
		}
	}
	check("webfront worker", "stop", "w")
	check("webfront", "container", "logs", "web")
	check("worker", "rm", "webfront", "wor")
	check("mytools:1", "run", "my")
	check("mytools:1", "image", "rm", "myt")
	check("cachevol", "volume", "inspect", "ca")
	check("host", "network", "rm", "ho")
	check("none", "run", "--network", "no")
	check("load login logout logs", "lo")

	t.Run("fish", func(t *testing.T) {
		for _, c := range []struct {
			want  string
			words []string
		}{
			{"webfront worker", []string{"stop", "w"}},
			{"mytools:1", []string{"run", "my"}},
			{"cachevol", []string{"volume", "rm", "ca"}},
			{"host", []string{"network", "inspect", "ho"}},
		} {
			if got := strings.Join(fishComplete(t, w, c.words...), " "); got != c.want {
				t.Errorf("fish: ward %s<TAB> = %q, want %q", strings.Join(c.words, " "), got, c.want)
			}
		}
	})
}
