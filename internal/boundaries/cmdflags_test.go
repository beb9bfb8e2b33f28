package boundaries

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// maxFlagHelpers bounds the flag-registration helpers of cmd/: a few
// groups of flags shared by several commands (run and create, the
// network and policy groups) are worth a function; more than this means
// logic is hiding under that name.
const maxFlagHelpers = 30

// cmd/ declares commands and flags (docs/ARCHITECTURE.md). Its files may
// hold, at the top level, only main, constructors of *cobra.Command and
// flag-registration helpers (named register...): what a command does
// lives in an internal package, where it can be found, tested and reused
// without a command line. Closures inside a constructor are not counted.
func TestCmdDeclaresOnlyCommandsAndFlags(t *testing.T) {
	root := repoRoot(t)
	files, err := filepath.Glob(filepath.Join(root, "cmd", "*", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files under %s/cmd: %v", root, err)
	}
	var helpers, others []string
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, path)
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				where := rel + ": " + funcName(d)
				switch {
				case d.Recv == nil && d.Name.Name == "main" && f.Name.Name == "main":
				case returnsCobraCommand(d):
				case strings.HasPrefix(d.Name.Name, "register"):
					helpers = append(helpers, where)
				default:
					others = append(others, where)
				}
			case *ast.GenDecl:
				// A package variable is state one file sets for another.
				if d.Tok == token.VAR {
					for _, s := range d.Specs {
						for _, n := range s.(*ast.ValueSpec).Names {
							others = append(others, rel+": var "+n.Name)
						}
					}
				}
			}
		}
	}
	sort.Strings(others)
	for _, o := range others {
		t.Errorf("%s: not main, a *cobra.Command constructor or a register... flag helper; move it to an internal package", o)
	}
	if len(helpers) > maxFlagHelpers {
		t.Errorf("%d flag-registration helpers in cmd/ (at most %d): %s", len(helpers), maxFlagHelpers, strings.Join(helpers, ", "))
	}
}

func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name
	}
	t := d.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + d.Name.Name
	}
	return d.Name.Name
}

// returnsCobraCommand tells a constructor: its only result is
// *cobra.Command.
func returnsCobraCommand(d *ast.FuncDecl) bool {
	r := d.Type.Results
	if r == nil || len(r.List) != 1 || len(r.List[0].Names) > 1 {
		return false
	}
	star, ok := r.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "cobra" && sel.Sel.Name == "Command"
}

// repoRoot is the module's root: two directories above this file.
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test's source file")
	}
	root := filepath.Join(filepath.Dir(file), "..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found above %s: %v", file, err)
	}
	return root
}
