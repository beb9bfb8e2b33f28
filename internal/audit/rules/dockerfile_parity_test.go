package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func instr(cmd, args string, line int) workload.Instruction {
	return workload.Instruction{Command: cmd, Args: args, Line: line}
}

func TestAddURL(t *testing.T) {
	runCases(t, AddURL, audit.Settings{}, []ruleCase{
		{"https", building(instr("add", "https://example.com/tool.tgz /opt/", 2)), 1},
		{"git", building(instr("add", "git@github.com:o/r.git /src", 2)), 1},
		{"checksum pinned", building(instr("add", "--checksum=sha256:abc https://example.com/tool.tgz /opt/", 2)), 0},
		{"local file", building(instr("add", "app.tar.gz /opt/", 2)), 0},
	})
}

func TestPipeToShell(t *testing.T) {
	runCases(t, PipeToShell, audit.Settings{}, []ruleCase{
		{"curl | sh", building(run("curl -fsSL https://get.example.com | sh")), 1},
		{"wget | sudo bash", building(run("wget -qO- https://x.example/install | sudo -E bash -")), 1},
		{"curl | /bin/bash", building(run("curl -s https://x.example/i.sh | /bin/bash")), 1},
		{"download then verify", building(run("curl -fsSLo i.sh https://x.example/i.sh && sha256sum -c sums && sh i.sh")), 0},
		{"curl | tar", building(run("curl -fsSL https://x.example/a.tgz | tar -xz")), 0},
	})
}

func TestMaintainer(t *testing.T) {
	runCases(t, Maintainer, audit.Settings{}, []ruleCase{
		{"maintainer", building(instr("maintainer", "ops@example.com", 2)), 1},
		{"label", building(instr("label", "org.opencontainers.image.authors=ops@example.com", 2)), 0},
	})
}

func TestRelativeWorkdir(t *testing.T) {
	runCases(t, RelativeWorkdir, audit.Settings{}, []ruleCase{
		{"relative", building(instr("workdir", "app", 2)), 1},
		{"absolute", building(instr("workdir", "/app", 2)), 0},
		{"variable", building(instr("workdir", "$HOME/app", 2)), 0},
	})
}

func TestRunCd(t *testing.T) {
	runCases(t, RunCd, audit.Settings{}, []ruleCase{
		{"cd first", building(run("cd /src && make")), 1},
		{"cd later", building(run("make -C x; cd /tmp")), 1},
		{"no cd", building(run("make -C /src")), 0},
		{"word containing cd", building(run("abcd --x")), 0},
	})
}

func TestAptRecommends(t *testing.T) {
	runCases(t, AptRecommends, audit.Settings{}, []ruleCase{
		{"recommends", building(run("apt-get update && apt-get install -y curl")), 1},
		{"no recommends", building(run("apt-get install -y --no-install-recommends curl")), 0},
		{"no apt", building(run("apk add --no-cache curl")), 0},
	})
}

func TestCopyWithoutChown(t *testing.T) {
	runCases(t, CopyWithoutChown, audit.Settings{}, []ruleCase{
		{"npm install as node in a root-owned dir", building(
			instr("workdir", "/app", 2), instr("copy", ". .", 3), instr("user", "node", 4), run("npm install")), 1},
		{"chown given", building(
			instr("workdir", "/app", 2), instr("copy", "--chown=node:node . .", 3), instr("user", "node", 4), run("npm install")), 0},
		{"root runs", building(
			instr("workdir", "/app", 2), instr("copy", ". .", 3), run("npm install"), instr("user", "node", 5)), 0},
		{"copied elsewhere", building(
			instr("copy", "conf.ini /etc/app/conf.ini", 2), instr("workdir", "/app", 3), instr("user", "app", 4), run("./build")), 0},
		{"multi-stage copy", building(
			instr("workdir", "/app", 2), instr("copy", "--from=build /out .", 3), instr("user", "app", 4), run("./x")), 0},
	})
}

func TestAptUnpinned(t *testing.T) {
	runCases(t, AptUnpinned, audit.Settings{}, []ruleCase{
		{"unpinned", building(run("apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*")), 1},
		{"pinned", building(run("apt-get install -y curl=7.88.1-10+deb12u5")), 0},
		{"local deb", building(run("apt-get install -y ./pkg.deb")), 0},
	})
}
