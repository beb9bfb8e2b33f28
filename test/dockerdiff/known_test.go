package dockerdiff

import (
	"fmt"
	"slices"
	"strings"
)

// knownDifference is one line Docker's container printed and the line
// ward's printed instead (either may be empty: a line only one has).
type knownDifference struct {
	docker, ward string
	why          string
}

// knownDifferences are what ward still does differently from Docker 20.10
// on this host. Each is a ward bug or a choice the lead has yet to make;
// they are listed, line for line, so the test stays green while they are
// open, and every one is logged when it shows. Remove an entry when ward
// is fixed: the test then holds ward to Docker's line.
var knownDifferences = []knownDifference{
	// Docker's /etc/hosts for a container on no network (or a network of
	// its own) also names the IPv6 multicast addresses; ward's has only
	// the two localhost lines.
	{"/etc/hosts: fe00::0\tip6-localnet", "", hostsWhy},
	{"/etc/hosts: ff00::0\tip6-mcastprefix", "", hostsWhy},
	{"/etc/hosts: ff02::1\tip6-allnodes", "", hostsWhy},
	{"/etc/hosts: ff02::2\tip6-allrouters", "", hostsWhy},
}

// caseDifference is a known difference that shows only in the cases whose
// name contains inCase: lines such as "write /tmp: fails" must still be
// held to Docker's everywhere else.
type caseDifference struct {
	inCase string
	knownDifference
}

// caseDifferences are the known differences of particular flag sets.
var caseDifferences = []caseDifference{
	// An explicit --tmpfs mode= is what the container gets under ward, as
	// under runc 1.2; runc 1.1 (Docker 20.10) replaces it with the mode of
	// the image's directory under the mount, here /tmp's 1777. Without
	// mode= both give the tmpfs the directory's mode.
	{"tmpfs with options", knownDifference{"dir /tmp: 1777 0:0", "dir /tmp: 1770 0:0", tmpfsModeWhy}},
	{"tmpfs with options as named user", knownDifference{"write /tmp: ok", "write /tmp: fails", tmpfsModeWhy}},
	{"tmpfs with options as named user", knownDifference{"chmod: ok", "chmod: fails", tmpfsModeWhy}},

	// With -t runc gives the terminal to the user and leaves its group
	// the one devpts gave it (tty, 5); ward-runtime's console package
	// (AttachSlave) chowns it to the user's gid as well.
	{"terminal as root", knownDifference{"dev node: /dev/console crw--w---- 88:0 0:5", "dev node: /dev/console crw--w---- 88:0 0:0", consoleWhy}},
	{"terminal as uid 1001", knownDifference{"dev node: /dev/console crw--w---- 88:0 1001:5", "dev node: /dev/console crw--w---- 88:0 1001:0", consoleWhy}},
	{"terminal as named user", knownDifference{"dev node: /dev/console crw--w---- 88:0 1002:5", "dev node: /dev/console crw--w---- 88:0 1002:1002", consoleWhy}},

	// With -i Docker relays stdin through a pipe; ward hands the container
	// its own stdin (here the test's /dev/null, which the probe also lists
	// as /dev/stdin among the device nodes).
	{"interactive", knownDifference{"fd 0: pipe", "fd 0: /dev/null", stdinWhy}},
	{"interactive", knownDifference{"", "dev node: /dev/stdin lrwxrwxrwx 0:0 0:0", stdinWhy}},

	// Detached, Docker's shim relays the output through pipes; ward's
	// monitor gives the container its log file as stdout and stderr.
	{"detached", knownDifference{"fd 1: pipe", "fd 1: file", logWhy}},
	{"detached", knownDifference{"fd 2: pipe", "fd 2: file", logWhy}},
}

// knownFor returns the known differences that apply to the test named
// testName (as t.Name() spells it) on a host with this bounding set.
func knownFor(testName string, hostBounding uint64) []knownDifference {
	known := slices.Clone(knownDifferences)
	if k := capAllDifference(hostBounding); k != nil {
		known = append(known, *k)
	}
	for _, c := range caseDifferences {
		if strings.Contains(testName, strings.ReplaceAll(c.inCase, " ", "_")) {
			known = append(known, c.knownDifference)
		}
	}
	return known
}

// dockerLastCap is the last capability Docker 20.10 knows, CAP_AUDIT_READ:
// its ALL stops there.
const dockerLastCap = 37

// capAllDifference is the CapBnd line of a non-root user with --cap-add
// ALL under each engine: Docker's ALL is the capabilities it knows, ward's
// is every capability of the host's bounding set, so on a kernel newer
// than Docker 20.10 ward's adds CAP_PERFMON, CAP_BPF and
// CAP_CHECKPOINT_RESTORE. (As root Docker's ALL fails on a host that
// lacks one of them; see the test.) Nil when the two are the same.
func capAllDifference(hostBounding uint64) *knownDifference {
	docker := hostBounding & (1<<(dockerLastCap+1) - 1)
	if docker == hostBounding {
		return nil
	}
	return &knownDifference{
		docker: fmt.Sprintf("CapBnd:\t%016x", docker),
		ward:   fmt.Sprintf("CapBnd:\t%016x", hostBounding),
		why:    "ALL also grants the capabilities newer than Docker 20.10 (PERFMON, BPF, CHECKPOINT_RESTORE)",
	}
}

const (
	hostsWhy     = "/etc/hosts lacks Docker's IPv6 multicast lines"
	tmpfsModeWhy = "ward keeps an explicit --tmpfs mode=, runc 1.1 replaces it with the covered directory's mode"
	consoleWhy   = "the terminal's group is the user's under ward, tty (5) under runc"
	stdinWhy     = "with -i ward passes its own stdin, Docker a pipe"
	logWhy       = "a detached container writes to its log file under ward, to pipes under Docker"
)
