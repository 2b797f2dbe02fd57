package autostart

import (
	"path/filepath"
	"strings"
	"testing"
)

// A go run build is deleted when go exits: an entry naming it would start
// nothing at the next login.
func TestNoEntryForATemporaryBuild(t *testing.T) {
	dir := t.TempDir()
	err := XDG(dir, testApp("/tmp/go-build2233/b001/exe/tasktray")).Enable()
	if err == nil || !strings.Contains(err.Error(), "temporary build") {
		t.Fatalf("Enable() = %v; want the temporary build refused", err)
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
