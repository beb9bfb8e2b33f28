package cp

// IDMap translates file owners between a container's view and the
// host's when the container runs in a user namespace: what ward cp
// writes as the container's root belongs on disk to the host id that
// root maps to, and what it archives out shows the ids the container
// sees. A nil *IDMap is the identity.
type IDMap struct{ UIDs, GIDs []IDRange }

// IDRange is one line of a user namespace's uid_map or gid_map.
type IDRange struct{ ContainerID, HostID, Size uint32 }

// overflowID is what an id outside every range reads as (the kernel's
// default overflowuid).
const overflowID = 65534

func translate(ranges []IDRange, id int, toHost bool) int {
	for _, r := range ranges {
		from, to := r.ContainerID, r.HostID
		if !toHost {
			from, to = r.HostID, r.ContainerID
		}
		if uint32(id) >= from && uint32(id)-from < r.Size {
			return int(to + uint32(id) - from)
		}
	}
	return overflowID
}

// ToHost maps a container's uid and gid to the host's.
func (m *IDMap) ToHost(uid, gid int) (int, int) {
	if m == nil {
		return uid, gid
	}
	return translate(m.UIDs, uid, true), translate(m.GIDs, gid, true)
}

// ToContainer maps a host uid and gid to the container's.
func (m *IDMap) ToContainer(uid, gid int) (int, int) {
	if m == nil {
		return uid, gid
	}
	return translate(m.UIDs, uid, false), translate(m.GIDs, gid, false)
}
