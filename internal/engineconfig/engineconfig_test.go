package engineconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The runtime is the flag's, else the config file's; a missing runtime or
// a bad config file is an error naming it.
func TestRuntime(t *testing.T) {
	dir := t.TempDir()
	fromFlag, fromConfig := filepath.Join(dir, "flag-runtime"), filepath.Join(dir, "config-runtime")
	for _, p := range []string{fromFlag, fromConfig} {
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeConfig := func(content string) string {
		p := filepath.Join(t.TempDir(), "config.json")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, flag, config string
		want, wantErr      string
	}{
		{"flag wins over the config", fromFlag, writeConfig(`{"runtime": "` + fromConfig + `"}`), fromFlag, ""},
		{"config file", "", writeConfig(`{"runtime": "` + fromConfig + `"}`), fromConfig, ""},
		{"missing flag runtime", filepath.Join(dir, "nosuch"), filepath.Join(dir, "no-config.json"), "", "nosuch"},
		{"bad config", "", writeConfig(`{"runtime": `), "", "config"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("WARD_CONFIG", tc.config)
			got, err := Runtime(tc.flag)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Runtime = %q, %v; want an error naming %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Runtime = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
