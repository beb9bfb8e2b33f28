// Package scan groups what `ward sbom`, `ward scan` and `ward db` are made
// of; it holds no code itself. The pipeline, one package per step, and
// the verbs that run it:
//
//	source     a filesystem with layers: a directory, a rootfs tarball, a
//	           docker-save or OCI archive (gzip or zstd layers), an image
//	           of ward's store (source/stored) or of a registry
//	           (FromImage). Tar content is streamed, never extracted.
//	analyzer   walks every layer once; each analyzer (listed in All) reads
//	           the files it wants: os-release, dpkg status and status.d,
//	           Debian copyright files, apk, rpm databases (SQLite, Berkeley
//	           DB, NDB), node_modules package.json and package-lock.json,
//	           Python dist-info/egg-info, gemspecs, Java archives,
//	           Composer's installed.json, busybox, Go build info and cargo
//	           auditable data; NotRead names files of ecosystems no
//	           analyzer reads. Run keeps what the final filesystem shows,
//	           after whiteouts, names the layer that brought each package,
//	           and records unreadable package files instead of dropping them.
//	inventory  the nouns: Distro, Package, Inventory, package URLs, and
//	           Coverage (what a report saw and what it did not).
//	report     CycloneDX 1.5, SPDX 2.3, JSON and table SBOMs; table, JSON
//	           and SARIF scan results; every format carries the coverage.
//	vulndb     OSV records in one bbolt file under ward's root, indexed by
//	           ecosystem and package; import from JSON or all.zip dumps,
//	           update from an HTTP mirror, status.
//	matcher    package to OSV ecosystem (ecosystems.go: Debian and Ubuntu by
//	           release and source package, Alpine, Wolfi, Chainguard, Red
//	           Hat, Rocky, Alma, openSUSE, Mageia, and the language
//	           registries), version ordering per ecosystem, range
//	           evaluation, severity from aliases, Cover (coverage), VEX and
//	           ignore filters.
//	target     what a verb names as an image, opened as a source: a path,
//	           else an image of ward's store, else of its registry
//	           (--image-src forces one).
//	verbs      ward sbom, ward scan and ward db: the pipeline run from a
//	           verb's options, with trivy's exit statuses.
//	scantest   test support: a cached Debian 12 minbase rootfs, OSV records
//	           built from Debian changelogs.
package scan
