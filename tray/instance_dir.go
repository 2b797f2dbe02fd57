package tray

import (
	"path/filepath"
	"runtime"

	"github.com/adrg/xdg"
)

// InstanceDir is where this user's lock and socket are.
//
// On Linux and the BSDs: the runtime directory ($XDG_RUNTIME_DIR, per
// login, on a tmpfs) when it exists and only this user can enter it; else
// the state directory's tasktray folder. adrg/xdg names /run/user/<uid>
// even when no such directory exists (a login without logind: startx, ssh
// -X, su -), and a start must not fail for a directory it cannot make.
//
// On macOS and Windows: a tasktray folder in the per-user application data
// (adrg/xdg's RuntimeDir there), not that shared folder's root.
func InstanceDir() string { return lockDir() }

func lockDir() string {
	switch runtime.GOOS {
	case "windows", "darwin", "ios":
		return filepath.Join(xdg.RuntimeDir, "tasktray")
	}
	if ownPrivateDir(xdg.RuntimeDir) {
		return xdg.RuntimeDir
	}
	return filepath.Join(xdg.StateHome, "tasktray")
}
