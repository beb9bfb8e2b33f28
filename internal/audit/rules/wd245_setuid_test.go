package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
)

func TestSetuidBits(t *testing.T) {
	runCases(t, SetuidBits, audit.Settings{}, []ruleCase{
		{"u+s", building(run("chmod u+s /usr/bin/tool")), 1},
		{"4755", building(run("chmod 4755 /usr/bin/tool")), 1},
		{"g+s", building(run("chmod -R g+s /data")), 1},
		{"0755", building(run("chmod 0755 /app")), 0},
		{"+x", building(run("chmod +x /app")), 0},
	})
}
