package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The test binary is itself a temporary build (go test): an entry pointing
// at it would start nothing at the next login, so Executable refuses it.
// Run from a binary built with go test -c, it gives that binary's path.
func TestExecutable(t *testing.T) {
	exe, _ := os.Executable()
	resolved, _ := filepath.EvalSymlinks(exe)
	got, err := Executable()
	if temporaryBuild(resolved) {
		if err == nil || !strings.Contains(err.Error(), "temporary build") {
			t.Fatalf("Executable() = %q, %v; want the temporary build refused", got, err)
		}
		return
	}
	if err != nil || got != resolved || !filepath.IsAbs(got) {
		t.Fatalf("Executable() = %q, %v; want %q", got, err, resolved)
	}
}

func TestTemporaryBuild(t *testing.T) {
	for path, want := range map[string]bool{
		"/tmp/go-build1234/b001/exe/tasktray":                             true,
		"/usr/bin/tasktray":                                               false,
		"/home/li/go/bin/tasktray":                                        false,
		"/home/li/go-builds/tasktray":                                     false,
		`C:\Users\li\AppData\Local\Temp\go-build99\b001\exe\tasktray.exe`: true,
	} {
		if got := temporaryBuild(filepath.FromSlash(path)); got != want {
			t.Errorf("temporaryBuild(%s) = %v", path, got)
		}
	}
}
