package tray

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
)

// maxSocketPath is the longest path a unix socket can bind: sun_path holds
// 108 bytes on Linux and Windows and 104 on macOS and the BSDs, with room
// for the final NUL.
const maxSocketPath = 103

// socketPath is where the agent whose lock is in dir listens, computed the
// same way by the agent and by every caller. It is dir/tasktray.sock when
// that fits in a socket address; else a short path of this user's own,
// named by a hash of dir (so each instance dir has its own socket):
// <tmp>/tasktray-<uid>/<hash>.sock.
func socketPath(dir string) string {
	path := filepath.Join(dir, socketName)
	if len(path) <= maxSocketPath {
		return path
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	sum := sha256.Sum256([]byte(dir))
	return filepath.Join(shortSocketDir(), hex.EncodeToString(sum[:8])+".sock")
}

// shortSocketDir is the folder for sockets whose own path is too long. On
// Linux and the BSDs it is under /tmp, not $TMPDIR: a start from a
// terminal and one from the desktop's autostart may not share $TMPDIR,
// and both must find the same socket. On macOS and Windows the temporary
// folder is per user and set by the system for every process.
func shortSocketDir() string {
	tmp := shortSocketRoot
	switch {
	case tmp != "":
	case runtime.GOOS == "windows", runtime.GOOS == "darwin", runtime.GOOS == "ios":
		tmp = os.TempDir()
	default:
		tmp = "/tmp"
	}
	name := "tasktray"
	if uid := os.Getuid(); uid >= 0 { // -1 on Windows, whose temp folder is the user's
		name += "-" + strconv.Itoa(uid)
	}
	return filepath.Join(tmp, name)
}

// shortSocketRoot replaces the temporary folder in tests.
var shortSocketRoot string

// errUnsafeSocketDir: the socket's folder is not this user's alone, so
// another user could listen in the agent's place or reach it.
var errUnsafeSocketDir = errors.New("the control socket's folder is not this user's alone")

// socketDirReady makes sure path's folder exists and only this user can
// enter it. A socket beside the lock is in the instance dir, which Lock
// made 0700; the short path's folder is in a temporary folder other users
// may write to, so it is made, and checked, here.
func socketDirReady(path string) error {
	dir := filepath.Dir(path)
	if dir != shortSocketDir() {
		return nil
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	if !ownSocketDir(dir) {
		return fmt.Errorf("%w: %s", errUnsafeSocketDir, dir)
	}
	return nil
}
