package dockerdiff

import "fmt"

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
	hostsWhy = "/etc/hosts lacks Docker's IPv6 multicast lines"
)
