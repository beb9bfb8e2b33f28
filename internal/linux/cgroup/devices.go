package cgroup

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Access bits as the kernel's device cgroup BPF context carries them.
const (
	accMknod = 1
	accRead  = 2
	accWrite = 4
)

// deviceException is one entry of a device list: a device (type 'b' or
// 'c', -1 numbers meaning any) and the access bits it concerns.
type deviceException struct {
	typ          byte
	major, minor int64
	access       uint32
}

// deviceList is the v1 devices cgroup's model: a default (allow or deny
// everything) and exceptions to it. Replaying OCI rules on it gives v2 the
// same meaning v1 gives them, "a" rules resetting the whole list.
type deviceList struct {
	defaultAllow bool
	exceptions   []deviceException
}

// newDeviceList starts from allow-all, like a fresh v1 devices cgroup.
func newDeviceList(rules []specs.LinuxDeviceCgroup) (*deviceList, error) {
	l := &deviceList{defaultAllow: true}
	for _, r := range rules {
		if err := l.apply(r); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (l *deviceList) apply(r specs.LinuxDeviceCgroup) error {
	rule, err := DeviceRule(r) // validates type and access
	if err != nil {
		return err
	}
	if rule[0] == 'a' {
		l.defaultAllow = r.Allow
		l.exceptions = nil
		return nil
	}
	e := deviceException{typ: rule[0], major: -1, minor: -1}
	if r.Major != nil {
		e.major = *r.Major
	}
	if r.Minor != nil {
		e.minor = *r.Minor
	}
	e.access = accessBits(r.Access)
	for i := range l.exceptions {
		x := &l.exceptions[i]
		if x.typ != e.typ || x.major != e.major || x.minor != e.minor {
			continue
		}
		if r.Allow == l.defaultAllow {
			x.access &^= e.access // a rule agreeing with the default removes an exception
		} else {
			x.access |= e.access
		}
		if x.access == 0 {
			l.exceptions = append(l.exceptions[:i], l.exceptions[i+1:]...)
		}
		return nil
	}
	if r.Allow != l.defaultAllow {
		l.exceptions = append(l.exceptions, e)
	}
	return nil
}

func (l *deviceList) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "default allow=%t", l.defaultAllow)
	for _, e := range l.exceptions {
		b.WriteString("; " + e.String())
	}
	return b.String()
}

// accessBits turns "rwm" letters into access bits; empty means all.
func accessBits(access string) uint32 {
	if access == "" {
		access = "rwm"
	}
	var bits uint32
	for _, c := range access {
		switch c {
		case 'm':
			bits |= accMknod
		case 'r':
			bits |= accRead
		case 'w':
			bits |= accWrite
		}
	}
	return bits
}

func (e deviceException) withAccess(bits uint32) deviceException {
	e.access = bits
	return e
}

// String renders the exception as a v1 devices.allow/deny rule.
func (e deviceException) String() string {
	num := func(n int64) string {
		if n < 0 {
			return "*"
		}
		return fmt.Sprint(n)
	}
	var acc string
	for _, a := range []struct {
		bit uint32
		c   string
	}{{accRead, "r"}, {accWrite, "w"}, {accMknod, "m"}} {
		if e.access&a.bit != 0 {
			acc += a.c
		}
	}
	return fmt.Sprintf("%c %s:%s %s", e.typ, num(e.major), num(e.minor), acc)
}
