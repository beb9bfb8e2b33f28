// Package rootdir is the layout of ward's root directory (--root,
// $WARD_ROOT, /var/lib/ward): where each store keeps its files. Every
// path under the root is spelled here once; the stores are opened on
// these paths.
//
//	ROOT/containers/<id>/   container records, bundles, logs (internal/record)
//	ROOT/images/            the image store (meta.db, blobs)
//	ROOT/layers/            unpacked layers (internal/snapshot)
//	ROOT/snapshots/<id>/    containers' rootfs snapshots
//	ROOT/volumes/           named and anonymous volumes
//	ROOT/network/           networks (network.db)
//	ROOT/netns/<id>         bound network namespaces
//	ROOT/userns/<id>        bound user namespaces (--userns auto)
//	ROOT/idranges.db        the id ranges --userns auto hands out
//	ROOT/runtime/           the OCI runtime's state (its --root)
//	ROOT/vulndb/            ward-audit's vulnerability database
//	ROOT/trust/             verified signatures and local signatures
package rootdir

import "path/filepath"

// Layout is a ward root directory.
type Layout string

// Root is the directory itself.
func (l Layout) Root() string { return string(l) }

// Containers is the directory of container records.
func (l Layout) Containers() string { return filepath.Join(string(l), "containers") }

// Container is one container's directory.
func (l Layout) Container(id string) string { return filepath.Join(l.Containers(), id) }

// Images is the image store's directory.
func (l Layout) Images() string { return filepath.Join(string(l), "images") }

// ImageDB is the image store's database, there once an image was stored.
func (l Layout) ImageDB() string { return filepath.Join(l.Images(), "meta.db") }

// Layers is the directory of unpacked layers.
func (l Layout) Layers() string { return filepath.Join(string(l), "layers") }

// Snapshots is the directory of containers' snapshots.
func (l Layout) Snapshots() string { return filepath.Join(string(l), "snapshots") }

// Volumes is the volume store's directory.
func (l Layout) Volumes() string { return filepath.Join(string(l), "volumes") }

// Network is the network store's directory.
func (l Layout) Network() string { return filepath.Join(string(l), "network") }

// NetworkDB is the network store's database, there once a network was made.
func (l Layout) NetworkDB() string { return filepath.Join(l.Network(), "network.db") }

// Netns is the directory of bound network namespaces.
func (l Layout) Netns() string { return filepath.Join(string(l), "netns") }

// Userns is the directory of bound user namespaces.
func (l Layout) Userns() string { return filepath.Join(string(l), "userns") }

// IDRanges is the database of the id ranges containers hold.
func (l Layout) IDRanges() string { return filepath.Join(string(l), "idranges.db") }

// Runtime is the OCI runtime's state directory (its --root).
func (l Layout) Runtime() string { return filepath.Join(string(l), "runtime") }

// VulnDB is ward-audit's vulnerability database directory.
func (l Layout) VulnDB() string { return filepath.Join(string(l), "vulndb") }

// Trust is the directory of trust records and local signatures.
func (l Layout) Trust() string { return filepath.Join(string(l), "trust") }
