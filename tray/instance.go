package tray

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrAlreadyRunning is what Lock and StartInstance return while another
// agent of this user holds the lock.
var ErrAlreadyRunning = errors.New("tasktray is already running")

// lockName is the lock file in the user's runtime (or state) directory.
const lockName = "tasktray.lock"

// Lock makes this process the user's only agent: two agents would show
// every popup twice and write one cursor file from two processes. It holds
// an OS lock on dir/tasktray.lock until release or the process ends; the
// kernel drops the lock of a process that crashed, so a stale file never
// blocks a start. It returns ErrAlreadyRunning while another agent holds
// it.
func Lock(dir string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("single-instance lock: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("single-instance lock: %w", err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("single-instance lock: %w", err)
	}
	if !held {
		f.Close()
		return nil, ErrAlreadyRunning
	}
	return func() { f.Close() }, nil // closing the file drops the lock
}

// lockFree says whether no agent holds the lock in dir (it takes the lock
// and drops it at once).
func lockFree(dir string) bool {
	release, err := Lock(dir)
	if err != nil {
		return false
	}
	release()
	return true
}
