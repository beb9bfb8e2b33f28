package rootfs

import (
	"strings"

	"golang.org/x/sys/unix"
)

// mountOptions is a spec mount's option list split the way mount(2)
// wants it: flags, propagation changes made by separate calls, and the
// filesystem-specific data string.
type mountOptions struct {
	flags       uintptr
	propagation []uintptr
	data        string
}

// flagOptions maps option words to the flag they set or clear.
var flagOptions = map[string]struct {
	clear bool
	flag  uintptr
}{
	"async": {true, unix.MS_SYNCHRONOUS}, "atime": {true, unix.MS_NOATIME},
	"bind": {false, unix.MS_BIND}, "defaults": {false, 0},
	"dev": {true, unix.MS_NODEV}, "diratime": {true, unix.MS_NODIRATIME},
	"dirsync": {false, unix.MS_DIRSYNC}, "exec": {true, unix.MS_NOEXEC},
	"mand": {false, unix.MS_MANDLOCK}, "noatime": {false, unix.MS_NOATIME},
	"nodev": {false, unix.MS_NODEV}, "nodiratime": {false, unix.MS_NODIRATIME},
	"noexec": {false, unix.MS_NOEXEC}, "nomand": {true, unix.MS_MANDLOCK},
	"norelatime": {true, unix.MS_RELATIME}, "nostrictatime": {true, unix.MS_STRICTATIME},
	"nosuid": {false, unix.MS_NOSUID}, "rbind": {false, unix.MS_BIND | unix.MS_REC},
	"relatime": {false, unix.MS_RELATIME}, "remount": {false, unix.MS_REMOUNT},
	"ro": {false, unix.MS_RDONLY}, "rw": {true, unix.MS_RDONLY},
	"silent": {false, unix.MS_SILENT}, "loud": {true, unix.MS_SILENT},
	"strictatime": {false, unix.MS_STRICTATIME}, "suid": {true, unix.MS_NOSUID},
	"sync": {false, unix.MS_SYNCHRONOUS},
}

// propagationOptions maps propagation words to their mount(2) flags.
var propagationOptions = map[string]uintptr{
	"private": unix.MS_PRIVATE, "rprivate": unix.MS_PRIVATE | unix.MS_REC,
	"shared": unix.MS_SHARED, "rshared": unix.MS_SHARED | unix.MS_REC,
	"slave": unix.MS_SLAVE, "rslave": unix.MS_SLAVE | unix.MS_REC,
	"unbindable": unix.MS_UNBINDABLE, "runbindable": unix.MS_UNBINDABLE | unix.MS_REC,
}

// PropagationFlag returns the mount flags of a propagation word such as
// "rslave", and false for a word it does not know.
func PropagationFlag(word string) (uintptr, bool) {
	f, ok := propagationOptions[word]
	return f, ok
}

func parseOptions(opts []string) mountOptions {
	var mo mountOptions
	var data []string
	for _, o := range opts {
		if f, ok := flagOptions[o]; ok {
			if f.clear {
				mo.flags &^= f.flag
			} else {
				mo.flags |= f.flag
			}
			continue
		}
		if p, ok := propagationOptions[o]; ok {
			mo.propagation = append(mo.propagation, p)
			continue
		}
		data = append(data, o)
	}
	mo.data = strings.Join(data, ",")
	return mo
}

// lockedFlags returns the flags of the mount at path that a bind remount
// must repeat: inside a user namespace the kernel refuses a remount that
// would clear nosuid, nodev, noexec or the atime flags of the original.
func lockedFlags(path string) uintptr {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0
	}
	var f uintptr
	for _, m := range []struct {
		st int64
		ms uintptr
	}{
		{unix.ST_NOSUID, unix.MS_NOSUID}, {unix.ST_NODEV, unix.MS_NODEV},
		{unix.ST_NOEXEC, unix.MS_NOEXEC}, {unix.ST_NOATIME, unix.MS_NOATIME},
		{unix.ST_NODIRATIME, unix.MS_NODIRATIME}, {unix.ST_RELATIME, unix.MS_RELATIME},
		{unix.ST_RDONLY, unix.MS_RDONLY},
	} {
		if st.Flags&m.st != 0 {
			f |= m.ms
		}
	}
	return f
}
