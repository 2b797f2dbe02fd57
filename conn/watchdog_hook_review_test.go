//go:build linux

package conn

import (
	"testing"

	"golang.org/x/sys/unix"
)

// ForceReadDeadlineForReview makes the links made until t ends watch their
// silence with the socket's read deadline, the path of Windows, macOS and a
// Linux without timerfds (no timerfd can be made). Set it before the
// client starts; the harness's cleanup, registered after it, stops the
// client before it is undone.
func ForceReadDeadlineForReview(t testing.TB) {
	saved := timerfdCreate
	timerfdCreate = func(int, int) (int, error) { return -1, unix.EMFILE }
	t.Cleanup(func() { timerfdCreate = saved })
}
