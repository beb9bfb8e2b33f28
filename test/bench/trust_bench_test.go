package bench

// The trust benchmarks: `ward verify --key` against `cosign verify --key
// --insecure-ignore-tlog=true` of the same signed image in a registry on
// loopback, `ward sign` against `cosign sign --tlog-upload=false`, and
// what the trust gate adds to `ward run --rm` of an image verified ahead.

import (
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wardproject/ward/internal/testutil"
)

var trustOnce sync.Once

// wardTrust builds ward-trust beside ward (the trust verbs run there) and
// returns ward's path.
func wardTrust(b *testing.B) string {
	b.Helper()
	dir := wardBinaries(b)
	var err error
	trustOnce.Do(func() { _, err = testutil.BuildBinary(dir, "ward-trust") })
	if err != nil {
		b.Fatal(err)
	}
	return filepath.Join(dir, "ward")
}

// trustSetup starts a registry on loopback with one image, makes a key
// pair with ward, and sets the environment both tools read: the key's
// password, and a closed loopback proxy for cosign's TUF lookups (the
// registry, on loopback, is not proxied).
func trustSetup(b *testing.B) (ward, cosign, key, ref string) {
	b.Helper()
	cosign = testutil.RequireTool(b, "cosign")
	ward = wardTrust(b)
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	b.Cleanup(srv.Close)
	ref = strings.TrimPrefix(srv.URL, "http://") + "/bench:1"
	img, err := random.Image(1024, 1)
	if err != nil {
		b.Fatal(err)
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		b.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for k, v := range map[string]string{"COSIGN_PASSWORD": "pw", "TUF_ROOT": filepath.Join(dir, "tuf"),
		"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost",
		"WARD_ROOT": filepath.Join(dir, "root")} {
		b.Setenv(k, v)
	}
	key = filepath.Join(dir, "k")
	timed(b, ward, "key", "generate", "--output-key-prefix", key)
	return ward, cosign, key, ref
}

// BenchmarkTrustVerify times ward verify against cosign verify of the
// same image and signature, one of each per iteration, in turn first.
func BenchmarkTrustVerify(b *testing.B) {
	ward, cosign, key, ref := trustSetup(b)
	timed(b, ward, "sign", "--key", key+".key", ref)
	var wardT, cosignT []time.Duration
	runs := []func(){
		func() { wardT = append(wardT, timed(b, ward, "verify", "--key", key+".pub", ref)) },
		func() {
			cosignT = append(cosignT, timed(b, cosign, "verify", "--key", key+".pub", "--insecure-ignore-tlog=true", ref))
		},
	}
	for i := 0; b.Loop(); i++ {
		for k := range runs {
			runs[(i+k)%len(runs)]()
		}
	}
	b.StopTimer()
	w, c := median(wardT), median(cosignT)
	b.ReportMetric(ms(w), "ward-ms")
	b.ReportMetric(ms(c), "cosign-ms")
	b.ReportMetric(float64(w)/float64(c), "ward/cosign")
}

// BenchmarkTrustSign times ward sign against cosign sign (no log upload)
// of the same image: each adds a signature to the same .sig image.
func BenchmarkTrustSign(b *testing.B) {
	ward, cosign, key, ref := trustSetup(b)
	var wardT, cosignT []time.Duration
	runs := []func(){
		func() { wardT = append(wardT, timed(b, ward, "sign", "--key", key+".key", ref)) },
		func() {
			cosignT = append(cosignT, timed(b, cosign, "sign", "--key", key+".key", "--tlog-upload=false", "--yes", ref))
		},
	}
	for i := 0; b.Loop(); i++ {
		for k := range runs {
			runs[(i+k)%len(runs)]()
		}
	}
	b.StopTimer()
	w, c := median(wardT), median(cosignT)
	b.ReportMetric(ms(w), "ward-ms")
	b.ReportMetric(ms(c), "cosign-ms")
	b.ReportMetric(float64(w)/float64(c), "ward/cosign")
}

// BenchmarkTrustRunGate times `ward run --rm IMAGE true` of an image
// signed and verified ahead, under a trust policy that wants its
// signature, against the same run with no trust policy: the difference
// is what the gate (the policy file and the stored record, read before
// anything is made) adds to every run.
func BenchmarkTrustRunGate(b *testing.B) {
	root, _, ward := wardRoot(b)
	bin := wardTrust(b)
	dir := b.TempDir()
	b.Setenv("COSIGN_PASSWORD", "pw")
	key := filepath.Join(dir, "k")
	ward("key", "generate", "--output-key-prefix", key)
	const img = "registry.example/team/busybox:1"
	ward("tag", "busybox", img)
	ward("sign", "--local", "--key", key+".key", img)
	policy := filepath.Join(dir, "policy.json")
	pol := fmt.Sprintf(`{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker":{"registry.example/team":`+
		`[{"type":"sigstoreSigned","keyPath":%q,"signedIdentity":{"type":"matchRepository"}}]}}}`, key+".pub")
	withPolicy, without := filepath.Join(dir, "trust.json"), filepath.Join(dir, "plain.json")
	for path, content := range map[string]string{policy: pol, withPolicy: fmt.Sprintf(`{"trust-policy":%q}`, policy), without: `{}`} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	b.Setenv("WARD_CONFIG", withPolicy)
	ward("verify", "--local", img) // keeps the record the gate reads
	var trustT, plainT []time.Duration
	runs := []func(){
		func() {
			os.Setenv("WARD_CONFIG", withPolicy)
			trustT = append(trustT, timed(b, bin, "--root", root, "run", "--rm", img, "true"))
		},
		func() {
			os.Setenv("WARD_CONFIG", without)
			plainT = append(plainT, timed(b, bin, "--root", root, "run", "--rm", img, "true"))
		},
	}
	for i := 0; b.Loop(); i++ {
		for k := range runs {
			runs[(i+k)%len(runs)]()
		}
	}
	b.StopTimer()
	t, p := median(trustT), median(plainT)
	b.ReportMetric(ms(t), "trust-ms")
	b.ReportMetric(ms(p), "plain-ms")
	b.ReportMetric(ms(t-p), "gate-ms")
}
