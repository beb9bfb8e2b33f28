package runspec

import (
	"fmt"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/sys/user"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ResolveUser resolves a --user value (NAME|UID[:GROUP|GID]) against the
// rootfs's /etc/passwd and /etc/group exactly as Docker does, with the
// same library: a matched user gets its passwd gid and, as supplementary
// groups, every group in /etc/group that lists it by name; user:group
// gets no supplementary groups; a numeric uid without a passwd entry gets
// gid 0; an unknown name is an error. Both files are opened inside rootfs
// with symlinks resolved within it.
func ResolveUser(rootfs, spec string) (specs.User, error) {
	return resolveUser(rootfs, spec, "--user")
}

// resolveUser is ResolveUser naming where spec came from in its errors
// (--user, or the image's config): an error names only what the user gave.
func resolveUser(rootfs, spec, from string) (specs.User, error) {
	passwd, err := securejoin.SecureJoin(rootfs, "/etc/passwd")
	if err != nil {
		return specs.User{}, fmt.Errorf("%s %q: resolve /etc/passwd in %s: %w", from, spec, rootfs, err)
	}
	group, err := securejoin.SecureJoin(rootfs, "/etc/group")
	if err != nil {
		return specs.User{}, fmt.Errorf("%s %q: resolve /etc/group in %s: %w", from, spec, rootfs, err)
	}
	u, err := user.GetExecUserPath(spec, nil, passwd, group)
	if err != nil {
		return specs.User{}, fmt.Errorf("%s %q: %w", from, spec, err)
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
