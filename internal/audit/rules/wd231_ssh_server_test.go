package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestSSHServerDockerfile(t *testing.T) {
	expose := func(args string) workload.Instruction {
		return workload.Instruction{Command: "expose", Args: args, Line: 4}
	}
	runCases(t, SSHServer, audit.Settings{}, []ruleCase{
		{"EXPOSE 22", building(expose("22")), 1},
		{"EXPOSE 80 22/tcp", building(expose("80 22/tcp")), 1},
		{"EXPOSE 8022", building(expose("8022")), 0},
		{"EXPOSE 22/udp", building(expose("22/udp")), 0},
		{"no EXPOSE", building(run("apt-get install -y curl")), 0},
	})
}
