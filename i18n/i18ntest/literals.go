// Package i18ntest holds checks for the tests of packages that show text:
// a user-visible string must be an i18n text, never a literal.
package i18ntest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"tasktray/i18n"
)

// CheckNoLiterals fails t for every string literal with a letter in it
// that the non-test Go files of dir pass to a function or method named in
// calls (e.g. "AddMenuItem", "SetText", "NewLabel"): such a string reaches
// the user untranslated. allow lists literals that are the same in every
// language, such as the program's name.
func CheckNoLiterals(t i18n.TB, dir string, calls []string, allow ...string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Errorf("no Go files in %s: %v", dir, err)
		return
	}
	want := map[string]bool{}
	for _, c := range calls {
		want[c] = true
	}
	ok := map[string]bool{}
	for _, a := range allow {
		ok[a] = true
	}
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, isCall := n.(*ast.CallExpr)
			if !isCall || !want[calleeName(call.Fun)] {
				return true
			}
			for _, arg := range call.Args {
				ast.Inspect(arg, func(n ast.Node) bool {
					lit, isLit := n.(*ast.BasicLit)
					if !isLit || lit.Kind != token.STRING {
						return true
					}
					if s, err := strconv.Unquote(lit.Value); err == nil && hasLetter(s) && !ok[s] {
						t.Errorf("%s: %s(%s): a string the user sees must be an i18n text", fset.Position(lit.Pos()), calleeName(call.Fun), lit.Value)
					}
					return true
				})
			}
			return true
		})
	}
}

func calleeName(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

func hasLetter(s string) bool { return strings.IndexFunc(s, unicode.IsLetter) >= 0 }
