package record

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestWriteReadPrune(t *testing.T) {
	root := t.TempDir()
	a := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("a", 64)}
	b := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("b", 64)}
	if _, ok, err := Read(root, a); ok || err != nil {
		t.Fatalf("no record: got ok=%v, %v", ok, err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, m := range []v1.Hash{a, b} {
		if err := Write(root, Trust{Signer: "sha256:k", Digest: m.String(), Manifest: m.String(), VerifiedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	rec, ok, err := Read(root, a)
	if err != nil || !ok || rec.Signer != "sha256:k" || !rec.VerifiedAt.Equal(at) {
		t.Fatalf("read back %+v, %v, %v", rec, ok, err)
	}
	// A record renamed to another digest is not taken for it.
	if err := os.Rename(filepath.Join(Dir(root), "sha256-"+b.Hex+".json"), filepath.Join(Dir(root), "sha256-"+strings.Repeat("c", 64)+".json")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Read(root, v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("c", 64)}); err == nil {
		t.Fatal("a record naming another manifest was accepted")
	}
	if err := Write(root, Trust{Manifest: "not a digest"}); err == nil {
		t.Fatal("a record without a manifest digest was written")
	}
	if err := Prune(root, map[v1.Hash]bool{a: true}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(Dir(root))
	if len(entries) != 1 || entries[0].Name() != "sha256-"+a.Hex+".json" {
		t.Fatalf("after prune: %v", entries)
	}
}
