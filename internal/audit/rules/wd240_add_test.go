package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// building returns a Dockerfile workload whose final image has these instructions.
func building(ins ...workload.Instruction) workload.Workload {
	w := hardened(workload.KindDockerfile)
	w.Build = &workload.Build{Instructions: ins}
	return w
}

func run(args string) workload.Instruction {
	return workload.Instruction{Command: "run", Args: args, Line: 2}
}

func TestAddInsteadOfCopy(t *testing.T) {
	add := func(args string) workload.Instruction {
		return workload.Instruction{Command: "add", Args: args, Line: 3}
	}
	runCases(t, AddInsteadOfCopy, audit.Settings{}, []ruleCase{
		{"local file", building(add("app.py /app/")), 1},
		{"with chown flag", building(add("--chown=app app.py /app/")), 1},
		{"json form", building(add(`["a.txt", "/a.txt"]`)), 1},
		{"url", building(add("https://example.com/x.tar.gz /x")), 0},
		{"local archive", building(add("rootfs.tar.xz /")), 0},
		{"copy", building(workload.Instruction{Command: "copy", Args: "a /a"}), 0},
	})
}
