package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wardproject/ward/internal/testutil"
	"github.com/wardproject/ward/internal/trust/keys"
	"github.com/wardproject/ward/internal/trust/trusttest"
)

var runtimeOnce sync.Once

// withRuntime builds ward-runtime beside the ward binary the tests run,
// for the tests that create a container.
func withRuntime(t *testing.T) {
	t.Helper()
	var err error
	runtimeOnce.Do(func() { _, err = testutil.BuildBinary(wardBins.Dir(t), "ward-runtime") })
	if err != nil {
		t.Fatal(err)
	}
}

// writePolicy writes a trust policy: images under host/signed and
// host/local need a signature by pub claiming their repository,
// host/rejected is refused, anything else is accepted.
func writePolicy(t *testing.T, path, host, pub string) {
	t.Helper()
	signed := fmt.Sprintf(`[{"type":"sigstoreSigned","keyPath":%q,"signedIdentity":{"type":"matchRepository"}}]`, pub)
	pol := fmt.Sprintf(`{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker":{
		%q:%s, %q:%s, %q:[{"type":"reject"}]}}}`, host+"/signed", signed, host+"/local", signed, host+"/rejected")
	if err := os.WriteFile(path, []byte(pol), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestTrustPolicyPullRun: under a trust policy, ward pull verifies before
// it stores anything, ward image inspect shows the verification, and ward
// create refuses (125, before anything is made) an image whose digest was
// not verified under the policy in force, whatever name it is run by.
func TestTrustPolicyPullRun(t *testing.T) {
	ward := wardBinary(t)
	dir := t.TempDir()
	host := trustRegistry(t, "signed:1", "signed:unsigned", "rejected:1", "other:1")
	key, other := filepath.Join(dir, "k"), filepath.Join(dir, "other")
	policyPath := filepath.Join(dir, "policy.json")
	writePolicy(t, policyPath, host, key+".pub")
	config := filepath.Join(dir, "config.json")
	if err := os.WriteFile(config, []byte(fmt.Sprintf(`{"trust-policy":%q}`, policyPath)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"COSIGN_PASSWORD=pw", "WARD_ROOT=" + filepath.Join(dir, "root"), "WARD_CONFIG=" + config, "WARD_DEFAULT_NETWORK=none"}
	mustRun(t, env, ward, "key", "generate", "--output-key-prefix", key)
	mustRun(t, env, ward, "key", "generate", "--output-key-prefix", other)
	mustRun(t, env, ward, "sign", "--key", key+".key", host+"/signed:1")

	refused := func(t *testing.T, want string, code int, args ...string) {
		t.Helper()
		out, errOut, got := runProg(t, env, ward, args...)
		if got != code || !strings.Contains(errOut, want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Fatalf("ward %s: exit %d, want %d with one line containing %q\n%s%s", strings.Join(args, " "), got, code, want, out, errOut)
		}
	}
	absent := func(t *testing.T, ref string) {
		t.Helper()
		if _, _, code := runProg(t, env, ward, "image", "inspect", ref); code == 0 {
			t.Fatalf("%s is in the store after a refused pull", ref)
		}
	}

	mustRun(t, env, ward, "pull", "-q", host+"/signed:1")
	var inspected []struct {
		Trust *struct{ Signer, Identity, Digest, VerifiedAt string }
	}
	if err := json.Unmarshal([]byte(mustRun(t, env, ward, "image", "inspect", host+"/signed:1")), &inspected); err != nil {
		t.Fatal(err)
	}
	signedDigest := digestOf(t, host+"/signed:1")
	if tr := inspected[0].Trust; tr == nil || tr.Digest != signedDigest || tr.Identity != host+"/signed" ||
		!strings.HasPrefix(tr.Signer, "sha256:") || tr.VerifiedAt == "" {
		t.Fatalf(".Trust = %+v, want the verification of %s", inspected[0].Trust, signedDigest)
	}

	t.Run("pull refusals store nothing", func(t *testing.T) {
		refused(t, "no signature", 1, "pull", "-q", host+"/signed:unsigned")
		absent(t, host+"/signed:unsigned")
		refused(t, "rejected by the trust policy", 1, "pull", "-q", host+"/rejected:1")
		absent(t, host+"/rejected:1")
	})
	t.Run("tag moved after signing", func(t *testing.T) {
		img, err := random.Image(64, 1)
		if err != nil {
			t.Fatal(err)
		}
		moved := host + "/signed:moved"
		mustRun(t, env, ward, "sign", "--key", key+".key", host+"/signed:1") // idempotent
		r, _ := name.ParseReference(moved)
		src, _ := name.ParseReference(host + "/signed:1")
		desc, err := remote.Get(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Tag(r.(name.Tag), desc); err != nil { // moved:... names the signed image
			t.Fatal(err)
		}
		if err := remote.Write(r, img); err != nil { // then moves to another
			t.Fatal(err)
		}
		refused(t, "no signature", 1, "pull", "-q", moved)
		absent(t, moved)
	})

	// Pulled without verification where the scope accepts anything.
	mustRun(t, env, ward, "pull", "-q", host+"/other:1")
	mustRun(t, env, ward, "tag", host+"/other:1", host+"/signed:2")

	t.Run("ward check reports image trust from the verification", func(t *testing.T) {
		rules := func(ref string) string {
			var rep struct {
				Findings []struct{ Rule, Message string }
			}
			if err := json.Unmarshal([]byte(mustRun(t, env, ward, "check", "--format", "json", ref)), &rep); err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, f := range rep.Findings {
				if strings.HasPrefix(f.Rule, "WD25") {
					out = append(out, f.Rule+" "+f.Message)
				}
			}
			return strings.Join(out, "; ")
		}
		if got := rules(host + "/signed:1"); got != "" {
			t.Errorf("verified image: %s", got)
		}
		if got := rules(host + "/signed:2"); !strings.Contains(got, "WD251") || !strings.Contains(got, "has no verified signature") {
			t.Errorf("unverified image under a sigstoreSigned scope: %q, want WD251", got)
		}
	})

	t.Run("run refusals", func(t *testing.T) {
		// An unverified image under a name the policy wants signed, by
		// that name and by its ID.
		refused(t, "has no verified signature", 125, "create", host+"/signed:2", "true")
		refused(t, "has no verified signature", 125, "create", host+"/other:1", "true")
		// --policy restricted: verified images only, wherever a trust
		// policy exists.
		mustRun(t, env, ward, "rmi", host+"/signed:2")
		refused(t, "has no verified signature", 125, "create", "--policy", "restricted", host+"/other:1", "true")
		// The policy changed its key: the old verification does not hold.
		writePolicy(t, policyPath, host, other+".pub")
		refused(t, "verified under another trust policy", 125, "create", host+"/signed:1", "true")
		writePolicy(t, policyPath, host, key+".pub")
	})

	t.Run("verified image runs", func(t *testing.T) {
		testutil.RequireRoot(t)
		withRuntime(t)
		id := strings.TrimSpace(mustRun(t, env, ward, "create", host+"/signed:1", "true"))
		mustRun(t, env, ward, "rm", id)
	})

	t.Run("local signature, verified, pushed", func(t *testing.T) {
		mustRun(t, env, ward, "tag", host+"/other:1", host+"/local:1")
		refused(t, "has no verified signature", 125, "create", host+"/local:1", "true")
		mustRun(t, env, ward, "sign", "--local", "--key", key+".key", host+"/local:1")
		// Verified under the policy (no --key), the record is kept.
		mustRun(t, env, ward, "verify", "--local", host+"/local:1")
		mustRun(t, env, ward, "verify", "--local", "--key", key+".pub", host+"/local:1")
		refused(t, "does not verify with the key", 1, "verify", "--local", "--key", other+".pub", host+"/local:1")
		if os.Geteuid() == 0 {
			withRuntime(t)
			id := strings.TrimSpace(mustRun(t, env, ward, "create", host+"/local:1", "true"))
			mustRun(t, env, ward, "rm", id)
		}
		// ward push sends the signature with the image; the registry
		// copy verifies.
		mustRun(t, env, ward, "push", "-q", host+"/local:1")
		mustRun(t, env, ward, "verify", "--key", key+".pub", host+"/local:1")
	})

	t.Run("rmi leaves no record or signature behind", func(t *testing.T) {
		mustRun(t, env, ward, "rmi", host+"/signed:1", host+"/other:1", host+"/local:1")
		for _, sub := range []string{"verified", "signatures"} {
			entries, err := os.ReadDir(filepath.Join(dir, "root", "trust", sub))
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 0 {
				t.Errorf("trust/%s still holds %d entries", sub, len(entries))
			}
		}
	})
}

// TestTrustPolicyKeyless: a sigstoreSigned scope with fulcio (the CA's
// certificates, the subject email and issuer): ward pull accepts an image
// signed with a certificate of that CA for that identity, and refuses one
// signed for another identity or by another CA, storing nothing.
func TestTrustPolicyKeyless(t *testing.T) {
	ward := wardBinary(t)
	dir := t.TempDir()
	host := trustRegistry(t, "keyless:good", "keyless:eve", "keyless:other-ca")
	const who, issuer = "dev@example.com", "https://issuer.example"
	authority, stranger := trusttest.NewCA(t), trusttest.NewCA(t)
	p := func(name string) string { return filepath.Join(dir, name) }
	sign := func(ref string, l trusttest.Leaf) {
		pair, err := keys.Marshal(l.Key, []byte("pw"))
		if err != nil {
			t.Fatal(err)
		}
		for name, b := range map[string][]byte{"leaf.key": pair.PrivatePEM, "leaf.pem": l.Cert, "chain.pem": l.Chain} {
			if err := os.WriteFile(p(name), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		mustRun(t, []string{"COSIGN_PASSWORD=pw"}, ward, "sign", "--key", p("leaf.key"), "--certificate", p("leaf.pem"),
			"--certificate-chain", p("chain.pem"), ref)
	}
	sign(host+"/keyless:good", authority.Issue(t, who, issuer, time.Now().Add(-time.Minute)))
	sign(host+"/keyless:eve", authority.Issue(t, "eve@example.com", issuer, time.Now().Add(-time.Minute)))
	sign(host+"/keyless:other-ca", stranger.Issue(t, who, issuer, time.Now().Add(-time.Minute)))
	if err := os.WriteFile(p("ca.pem"), trusttest.PEM(authority.Intermediate, authority.Root), 0o600); err != nil {
		t.Fatal(err)
	}
	pol := fmt.Sprintf(`{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker":{%q:[{"type":"sigstoreSigned",
		"fulcio":{"caPath":%q,"oidcIssuer":%q,"subjectEmail":%q},"signedIdentity":{"type":"matchRepository"}}]}}}`,
		host+"/keyless", p("ca.pem"), issuer, who)
	if err := os.WriteFile(p("policy.json"), []byte(pol), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p("config.json"), []byte(fmt.Sprintf(`{"trust-policy":%q}`, p("policy.json"))), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"WARD_ROOT=" + p("root"), "WARD_CONFIG=" + p("config.json")}
	mustRun(t, env, ward, "pull", "-q", host+"/keyless:good")
	var inspected []struct{ Trust *struct{ Signer string } }
	if err := json.Unmarshal([]byte(mustRun(t, env, ward, "image", "inspect", host+"/keyless:good")), &inspected); err != nil {
		t.Fatal(err)
	}
	if tr := inspected[0].Trust; tr == nil || tr.Signer != who+" ("+issuer+")" {
		t.Fatalf(".Trust = %+v", inspected[0].Trust)
	}
	for ref, want := range map[string]string{host + "/keyless:eve": "eve@example.com", host + "/keyless:other-ca": "does not chain"} {
		_, errOut, code := runProg(t, env, ward, "pull", "-q", ref)
		if code != 1 || !strings.Contains(errOut, want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Fatalf("pull %s: exit %d, want 1 with one line containing %q\n%s", ref, code, want, errOut)
		}
		if _, _, code := runProg(t, env, ward, "image", "inspect", ref); code == 0 {
			t.Fatalf("%s stored after a refused pull", ref)
		}
	}
}
