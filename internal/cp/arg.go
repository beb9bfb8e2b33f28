package cp

import (
	"fmt"
	"io"
	"strings"
)

// SplitArg reads docker cp's CONTAINER:PATH: a local path is absolute,
// or has no colon before its first slash ("./a:b" is local). container
// is empty for a local path.
func SplitArg(arg string) (container, path string) {
	if strings.HasPrefix(arg, "/") || strings.HasPrefix(arg, ".") {
		return "", arg
	}
	c, p, ok := strings.Cut(arg, ":")
	if !ok || strings.Contains(c, "/") {
		return "", arg
	}
	return c, p
}

// Request is docker cp's two arguments read: the container named, the
// source and destination paths, and which way the copy goes. "-" on the
// host side is a tar stream.
type Request struct {
	Container     string
	Src, Dst      string
	FromContainer bool
}

// ParseRequest reads `ward cp SRC DST`: exactly one side names a
// container.
func ParseRequest(src, dst string) (Request, error) {
	srcC, srcPath := SplitArg(src)
	dstC, dstPath := SplitArg(dst)
	switch {
	case srcC != "" && dstC != "":
		return Request{}, fmt.Errorf("copying between containers is not supported")
	case srcC == "" && dstC == "":
		return Request{}, fmt.Errorf("must specify at least one container source")
	}
	return Request{Container: srcC + dstC, Src: srcPath, Dst: dstPath, FromContainer: srcC != ""}, nil
}

// Run makes the copy in root, the container's files: a tar stream of
// "-" is read from stdin or written to stdout.
func (r Request) Run(root *Root, o Options, stdin io.Reader, stdout io.Writer) error {
	switch {
	case r.FromContainer && r.Dst == "-":
		return StreamFrom(root, r.Src, stdout, o.IDs)
	case r.FromContainer:
		return FromContainer(root, r.Src, r.Dst)
	case r.Src == "-":
		return StreamTo(root, stdin, r.Dst, o)
	}
	return ToContainer(root, r.Src, r.Dst, o)
}
