//go:build unix && !darwin

package tray

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/adrg/xdg"
)

// TestInstanceDirIsAPrivateRuntimeDir: the runtime directory is used only
// when it exists and only this user can enter it; else the state
// directory's tasktray folder (adrg/xdg names /run/user/<uid> whether or
// not it exists).
func TestInstanceDirIsAPrivateRuntimeDir(t *testing.T) {
	t.Cleanup(xdg.Reload) // after the environment is restored
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_STATE_HOME", filepath.Join(home, "state"))
	state := filepath.Join(home, "state", "tasktray")
	run := filepath.Join(home, "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, runtimeDir string
		mode             os.FileMode
		want             string
	}{
		{"private", run, 0o700, run},
		{"others may enter", run, 0o755, state},
		{"missing", filepath.Join(home, "missing"), 0o700, state},
	} {
		if err := os.Chmod(run, c.mode); err != nil {
			t.Fatal(err)
		}
		t.Setenv("XDG_RUNTIME_DIR", c.runtimeDir)
		xdg.Reload()
		if got := InstanceDir(); got != c.want {
			t.Errorf("%s runtime dir %s: InstanceDir() = %s, want %s", c.name, c.runtimeDir, got, c.want)
		}
	}
}
