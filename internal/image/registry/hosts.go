package registry

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Hosts is daemon.json's registry settings, as ward's config file
// carries them.
type Hosts struct {
	// Mirrors ("registry-mirrors") are tried in order before Docker Hub
	// for Docker Hub's images only, as dockerd does; an http:// mirror
	// is spoken to over plain http.
	Mirrors []string
	// Insecure ("insecure-registries") are hosts ("host:port") or CIDRs
	// whose registries may be reached over plain http or https without
	// a verified certificate.
	Insecure []string
}

// IsInsecure tells whether the registry host (host or host:port) is one
// the config trusts without TLS: named exactly, by host without port,
// or by an IP inside one of the CIDRs.
func (h Hosts) IsInsecure(registryHost string) bool {
	host := registryHost
	if hh, _, err := net.SplitHostPort(registryHost); err == nil {
		host = hh
	}
	ip := net.ParseIP(host)
	for _, entry := range h.Insecure {
		entry = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(entry, "http://"), "https://"), "/")
		if entry == registryHost || entry == host {
			return true
		}
		if _, cidr, err := net.ParseCIDR(entry); err == nil && ip != nil && cidr.Contains(ip) {
			return true
		}
	}
	return false
}

// Validate rejects settings dockerd would refuse, naming the entry.
func (h Hosts) Validate() error {
	for _, m := range h.Mirrors {
		u, err := url.Parse(m)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("registry-mirrors: %q is not an http:// or https:// URL", m)
		}
		if u.Path != "" && u.Path != "/" {
			return fmt.Errorf("registry-mirrors: %q has a path; a mirror is a bare URL", m)
		}
	}
	for _, e := range h.Insecure {
		if strings.TrimSpace(e) == "" {
			return errors.New("insecure-registries: an empty entry")
		}
	}
	return nil
}

// Resolve rewrites ref for an insecure registry (name.Insecure lets
// go-containerregistry fall back to plain http).
func (h Hosts) Resolve(ref name.Reference) (name.Reference, error) {
	if !h.IsInsecure(ref.Context().RegistryStr()) {
		return ref, nil
	}
	return name.ParseReference(ref.String(), name.Insecure)
}

// candidates are the references to try for ref, in order: each mirror
// for a Docker Hub image, then ref itself.
func (h Hosts) candidates(ref name.Reference) ([]name.Reference, error) {
	origin, err := h.Resolve(ref)
	if err != nil {
		return nil, err
	}
	if ref.Context().RegistryStr() != name.DefaultRegistry {
		return []name.Reference{origin}, nil
	}
	var out []name.Reference
	for _, m := range h.Mirrors {
		u, err := url.Parse(m)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("registry-mirrors: %q is not a URL", m)
		}
		opts := []name.Option{name.StrictValidation}
		if u.Scheme == "http" || h.IsInsecure(u.Host) {
			opts = append(opts, name.Insecure)
		}
		var s string
		if _, isDigest := ref.(name.Digest); isDigest {
			s = u.Host + "/" + ref.Context().RepositoryStr() + "@" + ref.Identifier()
		} else {
			s = u.Host + "/" + ref.Context().RepositoryStr() + ":" + ref.Identifier()
		}
		mr, err := name.ParseReference(s, opts...)
		if err != nil {
			return nil, fmt.Errorf("registry-mirrors: %s: %w", m, err)
		}
		out = append(out, mr)
	}
	return append(out, origin), nil
}

// pullFrom tries each candidate in turn; a mirror that fails (down, or
// without the image) passes to the next, as dockerd does. The error
// names the origin's failure, with the mirrors' failures after it.
func pullFrom(ctx context.Context, ref name.Reference, platform v1.Platform, o Options) (v1.Image, error) {
	cands, err := o.Hosts.candidates(ref)
	if err != nil {
		return nil, err
	}
	var mirrorErrs []error
	for i, c := range cands {
		img, err := remote.Image(c, o.remote(ctx, platform)...)
		if err == nil {
			return img, nil
		}
		if i == len(cands)-1 {
			if len(mirrorErrs) > 0 {
				return nil, fmt.Errorf("pull %s: %w (mirrors: %w)", ref, err, errors.Join(mirrorErrs...))
			}
			return nil, fmt.Errorf("pull %s: %w", ref, err)
		}
		mirrorErrs = append(mirrorErrs, fmt.Errorf("%s: %w", c.Context().RegistryStr(), err))
	}
	return nil, fmt.Errorf("pull %s: no registry to try", ref)
}

// Transport is base (remote's default when nil) for every host but the
// insecure ones, which get the same transport without certificate
// verification: dockerd's insecure-registries accept a self-signed or
// expired certificate as well as plain http.
func (h Hosts) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = remote.DefaultTransport
	}
	if len(h.Insecure) == 0 {
		return base
	}
	bt, ok := base.(*http.Transport)
	if !ok {
		return base
	}
	skip := bt.Clone()
	if skip.TLSClientConfig == nil {
		skip.TLSClientConfig = &tls.Config{}
	}
	skip.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // only for hosts the config names insecure
	return hostSwitch{hosts: h, secure: base, insecure: skip}
}

type hostSwitch struct {
	hosts            Hosts
	secure, insecure http.RoundTripper
}

func (s hostSwitch) RoundTrip(req *http.Request) (*http.Response, error) {
	if s.hosts.IsInsecure(req.URL.Host) {
		return s.insecure.RoundTrip(req)
	}
	return s.secure.RoundTrip(req)
}
