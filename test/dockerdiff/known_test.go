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
var knownDifferences = []knownDifference{}

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

const tmpfsModeWhy = "ward keeps an explicit --tmpfs mode=, runc 1.1 replaces it with the covered directory's mode"
