package audit_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/audit/rules"
)

const (
	corpusDir   = "testdata/corpus"
	expectedDir = "testdata/expected"
	// Below these, the rules have regressed against findings written by
	// hand; every miss and every false alarm is logged either way.
	minPrecision = 0.95
	minRecall    = 0.95
)

// key identifies a finding in the corpus: file (relative to the corpus),
// rule and line.
type key struct {
	file string
	rule string
	line int
}

// loadExpected reads the hand-written expectations: one "RULE LINE" per
// line, "#" comments, one file per fixture under testdata/expected.
func loadExpected(t *testing.T) (map[key]int, []string) {
	t.Helper()
	want := map[key]int{}
	var fixtures []string
	err := filepath.WalkDir(corpusDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(corpusDir, p)
		fixtures = append(fixtures, rel)
		f, err := os.Open(filepath.Join(expectedDir, rel+".txt"))
		if err != nil {
			return fmt.Errorf("fixture %s has no expectations: %w", rel, err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			fields := strings.Fields(line)
			if len(fields) != 2 {
				return fmt.Errorf("%s.txt:%d: want RULE LINE, got %q", rel, n, line)
			}
			l, err := strconv.Atoi(fields[1])
			if err != nil {
				return fmt.Errorf("%s.txt:%d: %w", rel, n, err)
			}
			if _, ok := rules.ByID(fields[0]); !ok {
				return fmt.Errorf("%s.txt:%d: unknown rule %s", rel, n, fields[0])
			}
			want[key{rel, fields[0], l}]++
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return want, fixtures
}

// TestCorpusPrecisionRecall runs ward check over every fixture and compares
// its findings with the expectations written by hand for each file.
func TestCorpusPrecisionRecall(t *testing.T) {
	images := corpusImageInputs(t)
	want, fixtures := loadExpected(t)
	report, err := audit.Check([]string{corpusDir}, audit.Options{Rules: rules.All(), Extra: images})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range report.Errors {
		t.Errorf("input error: %s", e)
	}
	if len(report.Inputs) != len(fixtures) {
		t.Errorf("read %d inputs of %d fixtures: %+v", len(report.Inputs), len(fixtures), report.Inputs)
	}
	got := map[key]int{}
	for _, f := range report.Findings {
		rel, _ := filepath.Rel(corpusDir, f.File)
		got[key{rel, f.Rule, f.Line}]++
	}
	tp, fp, fn := 0, 0, 0
	for k, n := range got {
		hit := min(n, want[k])
		tp += hit
		if n > hit {
			fp += n - hit
			t.Logf("false positive: %s:%d %s", k.file, k.line, k.rule)
		}
	}
	for k, n := range want {
		if miss := n - min(n, got[k]); miss > 0 {
			fn += miss
			t.Logf("missed: %s:%d %s", k.file, k.line, k.rule)
		}
	}
	precision := float64(tp) / float64(max(tp+fp, 1))
	recall := float64(tp) / float64(max(tp+fn, 1))
	t.Logf("corpus: %d fixtures, %d expected findings, %d reported: precision %.3f, recall %.3f", len(fixtures), tp+fn, tp+fp, precision, recall)
	if precision < minPrecision || recall < minRecall {
		t.Errorf("precision %.3f (min %.2f), recall %.3f (min %.2f)", precision, minPrecision, recall, minRecall)
	}
}

// The inline suppression in the corpus is reported as suppressed, not lost.
func TestCorpusSuppressionRecorded(t *testing.T) {
	report, err := audit.Check([]string{filepath.Join(corpusDir, "dockerfile", "api.dockerfile")}, audit.Options{Rules: rules.All()})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Suppressed) != 1 || report.Suppressed[0].Rule != "WD243" || report.Suppressed[0].By != "inline" {
		t.Errorf("suppressed = %+v", report.Suppressed)
	}
}

// BenchmarkCheckCorpus measures a whole `ward check` of the corpus: walking,
// detecting, parsing every kind, evaluating every rule, suppressions.
func BenchmarkCheckCorpus(b *testing.B) {
	opts := audit.Options{Rules: rules.All()}
	for b.Loop() {
		r, err := audit.Check([]string{corpusDir}, opts)
		if err != nil || len(r.Findings) == 0 {
			b.Fatalf("check: %v, %d findings", err, len(r.Findings))
		}
	}
}

// BenchmarkCheckCorpusBinary runs the ward binary on the corpus, process
// start included, to compare like for like with BenchmarkTrivyConfigCorpus.
func BenchmarkCheckCorpusBinary(b *testing.B) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		b.Skip("go not in PATH: cannot build the ward binary")
	}
	ward := filepath.Join(b.TempDir(), "ward")
	if out, err := exec.Command(goTool, "build", "-o", ward, "../../cmd/ward").CombinedOutput(); err != nil {
		b.Fatalf("build ward: %v\n%s", err, out)
	}
	for b.Loop() {
		if out, err := exec.Command(ward, "check", "--format", "json", corpusDir).CombinedOutput(); err != nil {
			b.Fatalf("ward check: %v\n%s", err, out)
		}
	}
}

// BenchmarkTrivyConfigCorpus runs `trivy config` on the same corpus, offline.
// It needs trivy in PATH (or TRIVY=/path/to/trivy):
// GOEXPERIMENT=jsonv2 go install github.com/aquasecurity/trivy/cmd/trivy@v0.74.0
func BenchmarkTrivyConfigCorpus(b *testing.B) {
	trivy := os.Getenv("TRIVY")
	if trivy == "" {
		var err error
		if trivy, err = exec.LookPath("trivy"); err != nil {
			b.Skip("trivy not installed (set TRIVY or put it in PATH)")
		}
	}
	cache := b.TempDir()
	for b.Loop() {
		cmd := exec.Command(trivy, "config", "--quiet", "--skip-check-update", "--cache-dir", cache, "--format", "json", corpusDir)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("trivy config: %v\n%s", err, out)
		}
	}
}
