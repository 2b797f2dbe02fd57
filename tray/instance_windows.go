//go:build windows

package tray

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// tryLock takes an exclusive lock on f's first byte without waiting; false
// when another process holds it.
func tryLock(f *os.File) (bool, error) {
	ol := new(windows.Overlapped)
	err := windows.LockFileEx(windows.Handle(f.Fd()),
		windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return false, nil
	}
	return err == nil, err
}

// ownPrivateDir: Windows has no XDG runtime directory (lockDir does not
// ask).
func ownPrivateDir(string) bool { return false }

// ownSocketDir: the temporary folder on Windows is in the user's profile,
// which other users cannot enter.
func ownSocketDir(dir string) bool {
	fi, err := os.Lstat(dir)
	return err == nil && fi.Mode().IsDir()
}
