// Package policy reads a trust policy in the schema and names of
// containers-policy.json (containers/image's policy.json): requirements
// per transport and scope, the most specific scope winning. It links no
// signature library: `ward run` reads the policy and the stored
// verification record (package record) only; verifying is ward-audit's.
//
// ward reads the "docker" transport, scoped by registry, namespace,
// repository or repository:tag, and "docker-archive" with the empty scope
// for images that have no name (loaded or imported without a tag); an
// image with no matching scope gets "default".
package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// Requirement types, as containers-policy.json names them.
const (
	TypeReject         = "reject"
	TypeAcceptAnything = "insecureAcceptAnything"
	TypeSigstoreSigned = "sigstoreSigned"
)

// Transports ward reads.
const (
	TransportDocker  = "docker"
	TransportArchive = "docker-archive"
)

// maxPolicy bounds the policy file ward reads.
const maxPolicy = 4 << 20

// Policy is a parsed policy file.
type Policy struct {
	Path       string                             `json:"-"`
	Default    Requirements                       `json:"default"`
	Transports map[string]map[string]Requirements `json:"transports,omitempty"`
}

// Requirements must all hold for an image to be accepted.
type Requirements []Requirement

// Requirement is one element of a requirement list.
type Requirement struct {
	Type string `json:"type"`
	// sigstoreSigned: a public key (file or inline PEM), or keyless.
	KeyPath string  `json:"keyPath,omitempty"`
	KeyData []byte  `json:"keyData,omitempty"` // base64 in JSON, as containers-policy.json
	Fulcio  *Fulcio `json:"fulcio,omitempty"`
	// The Rekor log's public key: with it, a keyless signature must come
	// with a log entry whose inclusion proof verifies against it; without
	// it (ward's offline reading), the certificate must be valid now.
	RekorPublicKeyPath string          `json:"rekorPublicKeyPath,omitempty"`
	RekorPublicKeyData []byte          `json:"rekorPublicKeyData,omitempty"`
	SignedIdentity     *SignedIdentity `json:"signedIdentity,omitempty"`
}

// Fulcio names the certificate authority (its certificates, PEM, the root
// among them) and the identity keyless signatures must carry.
type Fulcio struct {
	CAPath       string `json:"caPath,omitempty"`
	CAData       []byte `json:"caData,omitempty"`
	OIDCIssuer   string `json:"oidcIssuer,omitempty"`
	SubjectEmail string `json:"subjectEmail,omitempty"`
}

// SignedIdentity says which identity the signature's docker-reference
// must claim for the image's name.
type SignedIdentity struct {
	Type             string `json:"type"`
	DockerReference  string `json:"dockerReference,omitempty"`
	DockerRepository string `json:"dockerRepository,omitempty"`
}

// Read reads and checks a policy file.
func Read(path string) (*Policy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("trust policy %s: %w", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPolicy+1))
	if err != nil {
		return nil, fmt.Errorf("trust policy %s: %w", path, err)
	}
	if len(b) > maxPolicy {
		return nil, fmt.Errorf("trust policy %s: over %d bytes", path, maxPolicy)
	}
	p, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("trust policy %s: %w", path, err)
	}
	p.Path = path
	return p, nil
}

// Parse parses a policy, refusing unknown fields and requirement types
// ward does not enforce (a policy that cannot be enforced as written must
// not be taken as a weaker one).
func Parse(b []byte) (*Policy, error) {
	var p Policy
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, err
	}
	if len(p.Default) == 0 {
		return nil, errors.New(`"default" is missing or empty`)
	}
	if err := p.Default.check(); err != nil {
		return nil, fmt.Errorf("default: %w", err)
	}
	for t, scopes := range p.Transports {
		if t != TransportDocker && t != TransportArchive {
			return nil, fmt.Errorf("transport %q: ward reads only %q and %q", t, TransportDocker, TransportArchive)
		}
		for scope, reqs := range scopes {
			if len(reqs) == 0 {
				return nil, fmt.Errorf("%s %q: empty requirement list", t, scope)
			}
			if err := reqs.check(); err != nil {
				return nil, fmt.Errorf("%s %q: %w", t, scope, err)
			}
		}
	}
	return &p, nil
}

func (rs Requirements) check() error {
	for _, r := range rs {
		switch r.Type {
		case TypeReject, TypeAcceptAnything:
		case TypeSigstoreSigned:
			n := 0
			if r.KeyPath != "" {
				n++
			}
			if len(r.KeyData) > 0 {
				n++
			}
			if r.Fulcio != nil {
				n++
			}
			if n != 1 {
				return errors.New("sigstoreSigned needs exactly one of keyPath, keyData and fulcio")
			}
			if f := r.Fulcio; f != nil {
				if (f.CAPath == "") == (len(f.CAData) == 0) {
					return errors.New("fulcio needs exactly one of caPath and caData")
				}
				if f.OIDCIssuer == "" || f.SubjectEmail == "" {
					return errors.New("fulcio needs oidcIssuer and subjectEmail")
				}
			} else if r.RekorPublicKeyPath != "" || len(r.RekorPublicKeyData) > 0 {
				return errors.New("rekorPublicKeyPath and rekorPublicKeyData go with fulcio")
			}
			if si := r.SignedIdentity; si != nil {
				switch si.Type {
				case "matchRepoDigestOrExact", "matchRepository", "matchExact":
				case "exactReference":
					if si.DockerReference == "" {
						return errors.New("exactReference needs dockerReference")
					}
				case "exactRepository":
					if si.DockerRepository == "" {
						return errors.New("exactRepository needs dockerRepository")
					}
				default:
					return fmt.Errorf("signedIdentity type %q is not supported", si.Type)
				}
			}
		default:
			return fmt.Errorf("requirement type %q is not supported", r.Type)
		}
	}
	return nil
}

// Scope is where a requirement list came from, for messages.
type Scope struct {
	Transport, Name string // Name "" with Transport "" is "default"
}

func (s Scope) String() string {
	if s.Transport == "" {
		return "default"
	}
	if s.Name == "" {
		return s.Transport
	}
	return s.Transport + ":" + s.Name
}

// For returns the requirements for an image named ref (nil: an image
// without a name), and the scope they came from: the most specific
// docker scope (repository:tag, repository, then each parent namespace,
// then the registry), else default.
func (p *Policy) For(ref name.Reference) (Requirements, Scope) {
	if ref == nil {
		if reqs, ok := p.Transports[TransportArchive][""]; ok {
			return reqs, Scope{TransportArchive, ""}
		}
		return p.Default, Scope{}
	}
	scopes := p.Transports[TransportDocker]
	var candidates []string
	if t, ok := ref.(name.Tag); ok {
		candidates = append(candidates, t.Context().Name()+":"+t.TagStr())
	}
	repo := ref.Context().Name()
	for s := repo; ; {
		candidates = append(candidates, s)
		i := strings.LastIndex(s, "/")
		if i < 0 {
			break
		}
		s = s[:i]
	}
	for _, c := range candidates {
		if reqs, ok := scopes[c]; ok {
			return reqs, Scope{TransportDocker, c}
		}
		// Docker Hub's names: docker.io as written in policies.
		if alt, ok := strings.CutPrefix(c, name.DefaultRegistry); ok {
			if reqs, ok := scopes["docker.io"+alt]; ok {
				return reqs, Scope{TransportDocker, "docker.io" + alt}
			}
		}
	}
	return p.Default, Scope{}
}

// NeedsSignature tells whether the requirements ask for a signature.
func (rs Requirements) NeedsSignature() bool {
	for _, r := range rs {
		if r.Type == TypeSigstoreSigned {
			return true
		}
	}
	return false
}

// Rejects tells whether the requirements reject the image outright.
func (rs Requirements) Rejects() bool {
	for _, r := range rs {
		if r.Type == TypeReject {
			return true
		}
	}
	return false
}

// Fingerprint names a requirement list by the SHA-256 of its JSON, with
// a keyPath's file content folded in: a record verified under one list is
// not taken for another, nor for the same path holding another key.
func (rs Requirements) Fingerprint() (string, error) {
	h := sha256.New()
	if err := json.NewEncoder(h).Encode(rs); err != nil {
		return "", err
	}
	for _, r := range rs {
		paths := []string{r.KeyPath, r.RekorPublicKeyPath}
		if r.Fulcio != nil {
			paths = append(paths, r.Fulcio.CAPath)
		}
		for _, p := range paths {
			if p == "" {
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return "", fmt.Errorf("trust policy file: %w", err)
			}
			h.Write(b)
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// MatchIdentity checks the docker-reference a signature claims against
// the name the image is used under, as signedIdentity says (default
// matchRepoDigestOrExact, as in containers-policy.json).
func (r Requirement) MatchIdentity(used name.Reference, claimed string) error {
	si := SignedIdentity{Type: "matchRepoDigestOrExact"}
	if r.SignedIdentity != nil {
		si = *r.SignedIdentity
	}
	// cosign claims a repository without tag or digest by default.
	var claimedRepo, claimedFull string
	if repo, err := name.NewRepository(claimed); err == nil {
		claimedRepo, claimedFull = repo.Name(), repo.Name()
	} else if c, err := name.ParseReference(claimed); err == nil {
		claimedRepo, claimedFull = c.Context().Name(), c.Context().Name()+refSuffix(c)
	} else {
		return fmt.Errorf("signature claims %q, not an image name", claimed)
	}
	usedFull := used.Context().Name() + refSuffix(used)
	ok := false
	switch si.Type {
	case "matchRepository":
		ok = claimedRepo == used.Context().Name()
	case "matchExact":
		ok = claimedFull == usedFull
	case "matchRepoDigestOrExact":
		if _, isDigest := used.(name.Digest); isDigest {
			ok = claimedRepo == used.Context().Name()
		} else {
			ok = claimedFull == usedFull
		}
	case "exactReference":
		want, err := name.ParseReference(si.DockerReference)
		ok = err == nil && claimedFull == want.Context().Name()+refSuffix(want)
	case "exactRepository":
		want, err := name.NewRepository(si.DockerRepository)
		ok = err == nil && claimedRepo == want.Name()
	}
	if !ok {
		return fmt.Errorf("signature claims identity %q, which %s does not accept for %s", claimed, si.Type, usedFull)
	}
	return nil
}

func refSuffix(r name.Reference) string {
	switch v := r.(type) {
	case name.Tag:
		return ":" + v.TagStr()
	case name.Digest:
		return "@" + v.DigestStr()
	}
	return ""
}

// ConfigPath is the trust policy file that trust-policy in ward's config
// names ($WARD_CONFIG, default /etc/ward/config.json); "" when it names
// none or there is no config file.
func ConfigPath() (string, error) {
	path := os.Getenv("WARD_CONFIG")
	if path == "" {
		path = "/etc/ward/config.json"
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("config %s: %w", path, err)
	}
	var cfg struct {
		TrustPolicy string `json:"trust-policy"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return "", fmt.Errorf("config %s: %w", path, err)
	}
	return cfg.TrustPolicy, nil
}
