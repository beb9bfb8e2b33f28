package firewall

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/userdata"
)

// What is installed, and how Apply adds to it.
//
// Every ward command is a new process, so Apply learns what the tables
// were made from by reading it back from the kernel, where the rule set
// itself carries it: the lookup rule of each table's dispatch chain has a
// comment with a digest of the networks (and of this package's rule
// format), and each element of the bridge port map, one per endpoint, a
// digest of that endpoint. The descriptions are written in the same
// atomic batch as the rules they describe, so they cannot disagree with
// them: a crash between two steps, a reboot (no tables: a rebuild) or
// someone deleting ward's tables by hand leaves either both or neither.
// A file next to the store would need a second commit that a crash could
// skip, and would still have to be checked against the kernel.
//
// Reading costs three small netlink dumps (two one-rule chains and one
// map), against ~11.5 ms for a batch that deletes anything (the kernel
// waits for an RCU grace period) and ~0.06 ms per added rule.
//
// The engine calls Apply under its store's lock, so no other Apply runs
// between the read and the batch; were one to, the batch would fail on an
// element or chain that already exists, and change nothing.

// ruleFormat names the rules this package writes for a State: change it
// when they change, so that tables written by another version are rebuilt
// rather than added to.
const ruleFormat = "ward-firewall/3"

// canonical sorts s's lists, so that the rules depend on s as a set:
// networks by name, endpoints by host veth, the order an incremental
// batch keeps too.
func canonical(s State) State {
	s.Networks = slices.SortedFunc(slices.Values(s.Networks), func(a, b Network) int { return strings.Compare(a.Name, b.Name) })
	s.Endpoints = slices.SortedFunc(slices.Values(s.Endpoints), func(a, b Endpoint) int { return strings.Compare(a.HostVeth, b.HostVeth) })
	return s
}

func digest(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain data: cannot fail
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// stateComment describes everything the rules outside the endpoints'
// own depend on: the networks (an endpoint's rules use its network's
// bridge and default policies) and the rule format.
func stateComment(s State) string {
	return ruleFormat + " " + digest(s.Networks)
}

// endpointDigest describes everything an endpoint's own rules are made of.
func endpointDigest(e Endpoint) string {
	e.MAC = macOf(e)
	return digest(e)
}

// installed is what the kernel's tables say they were made from.
type installed struct {
	state     string            // stateComment
	endpoints map[string]string // host veth -> endpointDigest
}

// readInstalled reads the descriptions back; ok is false when the tables
// are missing, were not written by this rule format, or cannot be read:
// Apply then rebuilds them.
func readInstalled(conn *nftables.Conn) (in installed, ok bool) {
	for i, c := range []*nftables.Chain{{Table: inetTable, Name: "egress"}, {Table: bridgeTable, Name: "prerouting"}} {
		rules, err := conn.GetRules(c.Table, c)
		if err != nil || len(rules) == 0 {
			return in, false
		}
		comment, _ := userdata.GetString(rules[0].UserData, userdata.TypeComment)
		if !strings.HasPrefix(comment, ruleFormat+" ") || (i > 0 && comment != in.state) {
			return in, false
		}
		in.state = comment
	}
	elems, err := conn.GetSetElements(dispatchMap(portMap))
	if err != nil {
		return in, false
	}
	in.endpoints = map[string]string{}
	for _, el := range elems {
		in.endpoints[strings.TrimRight(string(el.Key), "\x00")] = el.Comment
	}
	return in, true
}

// plan compares s (canonical, not empty) with what is installed: the
// same, only more endpoints, or anything else (a removal, a change, a
// new network, tables missing or of another format).
func plan(conn *nftables.Conn, s State) (mode, installed) {
	in, ok := readInstalled(conn)
	if !ok || in.state != stateComment(s) {
		return rebuilt, in
	}
	want := map[string]string{}
	for _, e := range s.Endpoints {
		want[e.HostVeth] = endpointDigest(e)
	}
	for veth, d := range in.endpoints {
		if want[veth] != d {
			return rebuilt, in
		}
	}
	if len(want) == len(in.endpoints) {
		return unchanged, in
	}
	return incremental, in
}

// addEndpoints queues, for each endpoint of s that is not installed, what
// a rebuild would write for it, and nothing else: no table, chain or rule
// that exists is touched, so the batch deletes nothing.
func addEndpoints(conn *nftables.Conn, s State, in installed) error {
	b := newBuilder(conn, s)
	b.existing(inetTable, "prerouting", "forward", "output", "prerouting-nat", "output-nat", "postrouting-nat", "egress", "ingress")
	b.existing(bridgeTable, "prerouting")
	for _, e := range s.Endpoints {
		if _, ok := in.endpoints[e.HostVeth]; !ok {
			b.endpoint(e)
		}
	}
	return b.err
}

// present says whether either of ward's tables exists (or cannot tell).
func present(conn *nftables.Conn) bool {
	tables, err := conn.ListTables()
	if err != nil {
		return true
	}
	for _, t := range tables {
		if t.Name == tableName && (t.Family == inetTable.Family || t.Family == bridgeTable.Family) {
			return true
		}
	}
	return false
}
