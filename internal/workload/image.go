package workload

import "strings"

// ImageRef is an image reference split into its parts.
type ImageRef struct {
	Registry   string // "docker.io" when the reference names none
	Repository string // "library/nginx" style for Docker Hub
	Tag        string // empty when none
	Digest     string // "sha256:..." when pinned
}

// ParseImageRef splits a reference such as "ghcr.io/org/app:1.2@sha256:...".
// It does not validate; rules only need the parts.
func ParseImageRef(ref string) ImageRef {
	var r ImageRef
	ref = strings.TrimSpace(ref)
	if name, digest, ok := strings.Cut(ref, "@"); ok {
		ref, r.Digest = name, digest
	}
	if i := strings.LastIndex(ref, ":"); i >= 0 && !strings.Contains(ref[i:], "/") {
		ref, r.Tag = ref[:i], ref[i+1:]
	}
	first, rest, ok := strings.Cut(ref, "/")
	if ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		r.Registry, r.Repository = first, rest
	} else {
		r.Registry, r.Repository = "docker.io", ref
		if !ok {
			r.Repository = "library/" + ref
		}
	}
	return r
}

// Name is the last path element of the repository: "nginx", "distroless/static" gives "static".
func (r ImageRef) Name() string {
	return r.Repository[strings.LastIndex(r.Repository, "/")+1:]
}

func imageTag(ref string) string { return ParseImageRef(ref).Tag }
