// Package scan groups what `ward sbom`, `ward scan` and `ward db` are made
// of; it holds no code itself. The pipeline, one package per step:
//
//	source     a filesystem with layers: a directory, a rootfs tarball, a
//	           docker-save or OCI archive (an image in ward's store will be
//	           one more implementation of source.Source). Tar content is
//	           streamed, never extracted.
//	analyzer   walks every layer once; each analyzer (listed in All) reads
//	           the files it wants: os-release, dpkg status and status.d,
//	           Debian copyright files, apk, the SQLite rpmdb, busybox, Go
//	           build info. Run keeps what the final filesystem shows, after
//	           whiteouts, and names the layer that brought each package.
//	inventory  the nouns: Distro, Package, Inventory, and package URLs.
//	report     CycloneDX 1.5, SPDX 2.3, JSON and table SBOMs; table, JSON
//	           and SARIF scan results.
//	vulndb     OSV records in one bbolt file under ward's root, indexed by
//	           ecosystem and package; import from JSON or all.zip dumps,
//	           update from an HTTP mirror, status.
//	matcher    package to OSV ecosystem (Debian by release and source
//	           package, Alpine, Rocky/Alma/openSUSE/Mageia rpm, Go), version
//	           ordering per distribution, range evaluation, VEX and ignore
//	           filters.
//	scantest   test support: a cached Debian 12 minbase rootfs, OSV records
//	           built from Debian changelogs.
package scan
