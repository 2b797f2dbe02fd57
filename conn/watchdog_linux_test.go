package conn_test

import (
	"os"
	"path/filepath"
	"testing"

	"tasktray/conn"
)

// timerfds counts this process's open timerfds.
func timerfds(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fd := range fds {
		if to, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && to == "anon_inode:[timerfd]" {
			n++
		}
	}
	return n
}

// TestLinkWatchesSilenceWithATimerfd: on Linux a link's reader watches for
// silence with a timerfd, not with the socket's read deadline (a Go timer
// that every frame moves, and that wakes the runtime at its old time), and
// the timerfd is closed with the link. The other tests of the package then
// run the timerfd (TestStalledLinkIsDeclaredDead: a silent server).
func TestLinkWatchesSilenceWithATimerfd(t *testing.T) {
	base := timerfds(t)
	srv := newFakeServer(t)
	h := start(t, srv, nil)
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	waitFor(t, "the link has a timerfd", func() bool { return timerfds(t) == base+1 })
	h.stop()
	if n := timerfds(t); n != base {
		t.Fatalf("%d timerfds open after the client stopped, want %d", n, base)
	}
}
