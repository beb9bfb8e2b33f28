// Package version names the build every ward binary reports: the
// release set at link time, else the version control revision Go
// recorded in the binary.
package version

import (
	"runtime"
	"runtime/debug"
)

// Version is set at build time, for every binary at once:
//
//	go build -ldflags "-X github.com/wardproject/ward/internal/version.Version=1.2.3"
var Version = ""

// Info is one binary's build, with the field names of `docker version
// --format '{{.Client...}}'`.
type Info struct {
	Version   string
	GoVersion string
	GitCommit string
	BuildTime string
	Os        string
	Arch      string
}

// Get reads the build: Version, else "dev" with the revision; the
// revision (12 digits, "-dirty" for a modified tree) and its time as Go
// recorded them, or "unknown" for a build without version control.
func Get() Info {
	info := Info{Version: Version, GoVersion: runtime.Version(), GitCommit: "unknown", Os: runtime.GOOS, Arch: runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		dirty := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.GitCommit = s.Value
				if len(info.GitCommit) > 12 {
					info.GitCommit = info.GitCommit[:12]
				}
			case "vcs.time":
				info.BuildTime = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if dirty && info.GitCommit != "unknown" {
			info.GitCommit += "-dirty"
		}
	}
	if info.Version == "" {
		info.Version = "dev"
		if info.GitCommit != "unknown" {
			info.Version += "-" + info.GitCommit
		}
	}
	return info
}

// String is the one line of `--version`: "VERSION, build COMMIT", as
// docker --version's.
func (i Info) String() string { return i.Version + ", build " + i.GitCommit }
