package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
)

func TestDistUpgrade(t *testing.T) {
	runCases(t, DistUpgrade, audit.Settings{}, []ruleCase{
		{"dist-upgrade", building(run("apt-get update && apt-get -y dist-upgrade")), 1},
		{"full-upgrade", building(run("apt full-upgrade -y")), 1},
		{"upgrade is allowed", building(run("apt-get upgrade -y")), 0},
	})
}
