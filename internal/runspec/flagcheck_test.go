package runspec

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckEnv(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		want string // "" when accepted
	}{
		{[]string{"A=1", "B=", "C"}, ""},
		{[]string{"=x"}, `"=x" has no name`},
		{[]string{""}, `"" has no name`},
		{[]string{"A=b\x00c"}, `contains a NUL byte`},
	} {
		err := CheckEnv(tc.env, "-e")
		if tc.want == "" {
			if err != nil {
				t.Errorf("CheckEnv(%q) = %v", tc.env, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidEnv) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckEnv(%q) = %v, want %q", tc.env, err, tc.want)
		}
	}
}

// TestErrorsNameOnlyWhatTheUserGave: a bad User or WorkingDir in the
// image's config is blamed on the image, not on --user or -w.
func TestErrorsNameOnlyWhatTheUserGave(t *testing.T) {
	o := Options{Cmd: []string{"true"}, Host: referenceHost(t)}
	o.Image.User = "nosuchuser"
	_, err := Build(o, testRootfs(t), testID)
	if err == nil || strings.Contains(err.Error(), "--user") || !strings.Contains(err.Error(), "image's config User") {
		t.Errorf("image user: %v", err)
	}
	o = Options{Cmd: []string{"true"}, Host: referenceHost(t)}
	o.Image.WorkingDir = "relative"
	_, err = Build(o, testRootfs(t), testID)
	if err == nil || strings.Contains(err.Error(), "-w") || !strings.Contains(err.Error(), "image's config WorkingDir") {
		t.Errorf("image workdir: %v", err)
	}
	o.Workdir = "also-relative"
	if _, err = Build(o, testRootfs(t), testID); err == nil || !strings.Contains(err.Error(), `-w "also-relative"`) {
		t.Errorf("-w: %v", err)
	}
}
