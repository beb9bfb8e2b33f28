package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestDeferredRunFlags: run's flag set is declared only for the command
// being run (cli.LazyFlags), and every way of reaching it still sees it:
// the command's own --help, `ward help`, completion, the container group,
// a bad flag (125 as docker), and a command line whose flags come before
// and after the verb.
func TestDeferredRunFlags(t *testing.T) {
	w := &wardEnv{bin: filepath.Join(sharedBinaries(t), "ward"), root: t.TempDir()}
	for _, args := range [][]string{
		{"run", "--help"}, {"help", "run"}, {"create", "--help"}, {"help", "create"},
		{"container", "run", "--help"}, {"container", "create", "--help"}, {"help", "container", "run"},
		{"learn", "--help"}, {"container", "learn", "--help"},
	} {
		out := w.must(t, args...)
		for _, flag := range []string{"--network string", "--cap-drop stringArray", "--security-opt stringArray", "--pull string"} {
			if !strings.Contains(out, flag) {
				t.Errorf("ward %s lacks %s:\n%s", strings.Join(args, " "), flag, out)
			}
		}
		if args[len(args)-2] == "learn" && !strings.Contains(out, "--verify string") {
			t.Errorf("ward %s lacks learn's own --verify:\n%s", strings.Join(args, " "), out)
		}
		if strings.Contains(strings.Join(args, " "), "create") && strings.Contains(out, "--detach") {
			t.Errorf("ward %s shows run's --detach, hidden for create:\n%s", strings.Join(args, " "), out)
		}
	}
	// Completion of a deferred flag's name and of --network's values.
	if out := w.must(t, "__complete", "run", "--netw"); !strings.Contains(out, "--network") {
		t.Errorf("completion of run --netw:\n%s", out)
	}
	if out := w.must(t, "__complete", "container", "create", "--network", ""); !strings.Contains(out, "none") {
		t.Errorf("completion of create --network:\n%s", out)
	}
	// Parsed as before: an unknown flag is docker's 125, and --root before the verb still counts.
	if _, errOut, code := w.run(t, nil, "--root", w.root, "run", "--no-such-flag", "busybox"); code != 125 || !strings.Contains(errOut, "unknown flag: --no-such-flag") {
		t.Errorf("run --no-such-flag: exit %d, %q", code, errOut)
	}
	if _, errOut, code := w.run(t, nil, "run", "--pull", "never", "--network", "none", "no-such-image"); code != 125 || !strings.Contains(errOut, "no-such-image") {
		t.Errorf("run of a missing image with --pull never: exit %d, %q", code, errOut)
	}
}
