package i18ntest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type recorder struct{ errs []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestCheckNoLiteralsFindsAnUntranslatedString(t *testing.T) {
	dir := t.TempDir()
	src := `package x

func show(a, b string) {}

func f(t interface{ String() string }) {
	show("Log in…", "")       // caught
	show(t.String(), "tasktray") // allowed
	show("+" + "Quit", "-")   // caught: "Quit"
	other("Not a UI call")
}

func other(string) {}
`
	if err := os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "x_test.go"), []byte("package x\nfunc g() { show(\"test only\", \"\") }\n"), 0o600)
	var r recorder
	CheckNoLiterals(&r, dir, []string{"show"}, "tasktray")
	if len(r.errs) != 2 || !strings.Contains(r.errs[0], `"Log in…"`) || !strings.Contains(r.errs[1], `"Quit"`) {
		t.Errorf("found %q; want Log in… and Quit", r.errs)
	}
}
