package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
)

func TestPackageCacheLeft(t *testing.T) {
	runCases(t, PackageCacheLeft, audit.Settings{}, []ruleCase{
		{"apt-get install", building(run("apt-get update && apt-get install -y curl")), 1},
		{"apt-get cleaned", building(run("apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*")), 0},
		{"apk add", building(run("apk add curl")), 1},
		{"apk add --no-cache", building(run("apk add --no-cache curl")), 0},
		{"dnf cleaned", building(run("dnf install -y curl && dnf clean all")), 0},
		{"yum", building(run("yum install -y curl")), 1},
		{"pip", building(run("pip install flask")), 1},
		{"cache mount", building(run("--mount=type=cache,target=/var/cache/apt apt-get install -y curl")), 0},
		{"word inside another", building(run("echo reapk add")), 0},
	})
}
