package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
)

func TestSudoInImage(t *testing.T) {
	runCases(t, SudoInImage, audit.Settings{}, []ruleCase{
		{"sudo", building(run("sudo apt-get install -y curl")), 1},
		{"after &&", building(run("make && sudo make install")), 1},
		{"pseudo is not sudo", building(run("echo pseudo")), 0},
	})
}
