package envvar

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	t.Setenv("WARD_ENVVAR_SET", "from ward")
	t.Setenv("WARD_ENVVAR_EMPTY", "")
	os.Unsetenv("WARD_ENVVAR_UNSET")
	got := Expand([]string{"A=1", "WARD_ENVVAR_SET", "WARD_ENVVAR_EMPTY", "WARD_ENVVAR_UNSET", "B=", "C=x=y"})
	want := []string{"A=1", "WARD_ENVVAR_SET=from ward", "WARD_ENVVAR_EMPTY=", "B=", "C=x=y"}
	if !slices.Equal(got, want) {
		t.Errorf("Expand = %q, want %q", got, want)
	}
	if got := Expand(nil); got != nil {
		t.Errorf("Expand(nil) = %q, want nil", got)
	}
}

func TestReadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "env")
	text := "# a comment\n\nA=1\n  B=two words\n\t# indented comment\nBARE\nC=#not a comment\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"A=1", "B=two words", "BARE", "C=#not a comment"}
	if !slices.Equal(got, want) {
		t.Errorf("ReadFile = %q, want %q", got, want)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	if _, err := ReadFile(missing); err == nil || !strings.HasPrefix(err.Error(), "--env-file: open "+missing) {
		t.Errorf("ReadFile(missing) error = %v, want one naming --env-file and the path", err)
	}
}
