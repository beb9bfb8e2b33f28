package workload

import "strings"

// ImageConfig is the part of an image's config (OCI or Docker) that decides
// how its containers run when nothing overrides it.
type ImageConfig struct {
	User         string
	Env          []string // NAME=value
	Healthcheck  []string // the HEALTHCHECK test; nil when none, ["NONE"] when disabled
	ExposedPorts []string // EXPOSE: "22/tcp", "8080/tcp"; declared, not published
}

// ImageContent is what ward saw inside an image's layers, after whiteouts.
type ImageContent struct {
	// Setuid lists regular files with the setuid or setgid bit, as
	// "usr/bin/passwd (setuid)", sorted.
	Setuid []string
	// Distro is the os-release ID (debian, alpine, busybox...), and
	// DistroName its PRETTY_NAME, empty when unknown.
	Distro     string
	DistroName string
	// PackageManager is the path of a package manager binary (apt-get,
	// dnf, yum, apk...) left in the image, empty when none.
	PackageManager string
	// Sudo is the path of a sudo binary in the image, empty when none.
	Sudo string
	// SSHServer is the path of an SSH daemon (sshd, dropbear) in the
	// image, empty when none.
	SSHServer string
	// Scan is the vulnerability scan of the image's packages; nil when no
	// database was available.
	Scan *ImageScan
}

// ImageScan is the outcome of matching an image's packages against the
// vulnerability database.
type ImageScan struct {
	Packages        int
	Vulnerabilities []Vulnerability
	// Gaps lists what the scan could not see, one line each (a
	// distribution without advisories, an ecosystem not matched, a package
	// file not read); empty when the scan covered everything.
	Gaps []string
}

// Vulnerability is one advisory affecting one installed package.
type Vulnerability struct {
	ID               string
	Package          string
	InstalledVersion string
	FixedVersion     string // empty when no fix exists yet
	Severity         string // CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN
}

// FromImage builds the workload of an image: file is where it was read
// from (the reference as typed, or the archive's path), ref the reference
// that names it (empty when none does). An image decides only its user,
// environment and health check; how it runs (capabilities, namespaces,
// mounts) is decided by whoever runs it, so those fields keep their zero
// values and the runtime rules do not apply to this kind.
func FromImage(file, ref string, cfg ImageConfig, content *ImageContent) Workload {
	name := ref
	if name == "" {
		name = file
	}
	w := Workload{
		Kind:     KindImage,
		File:     file,
		Resource: "image " + name,
		Image:    ref,
		User:     User{Name: cfg.User},
		Content:  content,
	}
	for _, e := range cfg.Env {
		k, v, _ := strings.Cut(e, "=")
		w.Env = append(w.Env, EnvVar{Name: k, Value: v})
	}
	w.Healthcheck = len(cfg.Healthcheck) > 0 && cfg.Healthcheck[0] != "NONE"
	w.Exposed = cfg.ExposedPorts
	return w
}
