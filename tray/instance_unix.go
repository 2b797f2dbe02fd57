//go:build unix

package tray

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// tryLock takes an exclusive flock on f without waiting; false when another
// process holds it.
func tryLock(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

// ownPrivateDir says whether dir is an absolute path to a directory this
// user owns and no one else may enter (mode 0700, as the XDG Base Directory
// specification requires of the runtime directory).
func ownPrivateDir(dir string) bool {
	if dir == "" || !filepath.IsAbs(dir) {
		return false
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm()&0o077 != 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}

// ownSocketDir says whether dir is, itself and not by a symbolic link, a
// directory this user owns and no one else may enter: in a shared /tmp,
// another user may have made it first.
func ownSocketDir(dir string) bool {
	fi, err := os.Lstat(dir)
	return err == nil && fi.Mode().IsDir() && ownPrivateDir(dir)
}
