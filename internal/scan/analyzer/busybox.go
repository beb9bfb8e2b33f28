package analyzer

import (
	"bufio"
	"bytes"
	"io"
	"regexp"

	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/source"
)

// Busybox names the system of busybox-only images, which have no package
// database and no os-release: the version is the banner inside the binary.
type Busybox struct{}

func (Busybox) Name() string { return "busybox" }

func (Busybox) Wants(e source.Entry) bool {
	return e.Path == "bin/busybox" || e.Path == "usr/bin/busybox"
}

var busyboxBanner = regexp.MustCompile(`BusyBox v([0-9][0-9A-Za-z.\-]*)`)

func (Busybox) Analyze(e source.Entry, r io.Reader) (Result, error) {
	// Scan in overlapping chunks so the banner is found without holding
	// the whole binary.
	br := bufio.NewReaderSize(r, 64<<10)
	var carry []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := io.ReadFull(br, buf)
		chunk := append(carry, buf[:n]...)
		if m := busyboxBanner.FindSubmatch(chunk); m != nil {
			v := string(bytes.TrimRight(m[1], ".-"))
			return Result{Distro: &inventory.Distro{ID: "busybox", VersionID: v}, Rank: 10}, nil
		}
		if err != nil {
			return Result{}, nil
		}
		carry = append([]byte(nil), chunk[max(0, len(chunk)-64):]...)
	}
}
