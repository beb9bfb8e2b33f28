package runspec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/sys/user"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Files reads the few files of a container's root filesystem that
// building its spec needs (/etc/passwd and /etc/group). For a container
// being created it is the mounted rootfs (RootfsFiles); when nothing may
// be made (`ward run --dry-run`, `--policy`), the image's layers read
// from the store, so both paths resolve users with the same code.
type Files interface {
	// ReadFile returns the content of the absolute path name inside the
	// root, symlinks resolved within the root; an error wrapping
	// fs.ErrNotExist when there is no such file.
	ReadFile(name string) ([]byte, error)
}

// RootfsFiles reads files of the root filesystem at dir, resolving
// symlinks inside it.
func RootfsFiles(dir string) Files { return rootfsFiles(dir) }

type rootfsFiles string

func (r rootfsFiles) ReadFile(name string) ([]byte, error) {
	p, err := securejoin.SecureJoin(string(r), name)
	if err != nil {
		return nil, fmt.Errorf("resolve %s in %s: %w", name, string(r), err)
	}
	return os.ReadFile(p)
}

// ResolveUser resolves a --user value against the root filesystem at
// rootfs: ResolveUserFiles over RootfsFiles(rootfs).
func ResolveUser(rootfs, spec string) (specs.User, error) {
	return ResolveUserFiles(RootfsFiles(rootfs), spec)
}

// ResolveUserFiles resolves a --user value (NAME|UID[:GROUP|GID]) against
// the root's /etc/passwd and /etc/group exactly as Docker does, with the
// same library: a matched user gets its passwd gid and, as supplementary
// groups, every group in /etc/group that lists it by name; user:group
// gets no supplementary groups; a numeric uid without a passwd entry gets
// gid 0; an unknown name is an error. A missing file is an empty one.
func ResolveUserFiles(files Files, spec string) (specs.User, error) {
	passwd, err := optionalFile(files, "/etc/passwd")
	if err != nil {
		return specs.User{}, fmt.Errorf("--user %q: %w", spec, err)
	}
	group, err := optionalFile(files, "/etc/group")
	if err != nil {
		return specs.User{}, fmt.Errorf("--user %q: %w", spec, err)
	}
	u, err := user.GetExecUser(spec, nil, passwd, group)
	if err != nil {
		return specs.User{}, fmt.Errorf("--user %q: %w", spec, err)
	}
	// Docker lists the primary gid among the supplementary groups too
	// (its recorded specs: [0] for root, [1001, 1002] for user 1001).
	out := specs.User{UID: uint32(u.Uid), GID: uint32(u.Gid), AdditionalGids: []uint32{uint32(u.Gid)}}
	for _, g := range u.Sgids {
		if uint32(g) != out.GID {
			out.AdditionalGids = append(out.AdditionalGids, uint32(g))
		}
	}
	return out, nil
}

// optionalFile reads name, giving a nil reader when it does not exist (as
// GetExecUserPath treats a file it cannot open).
func optionalFile(files Files, name string) (io.Reader, error) {
	data, err := files.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return bytes.NewReader(data), nil
}
