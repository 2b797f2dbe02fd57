package conn

import (
	"os"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestTimerfdWatchdogSetsNoDeadlineUntilItFires: kicks only re-arm the
// timerfd (no Go timer, so no wake-up of the runtime); the socket's read
// deadline is touched once, in the past, when the timer runs out. stop
// closes the timerfd.
func TestTimerfdWatchdogSetsNoDeadlineUntilItFires(t *testing.T) {
	set := make(deadlines, 4)
	w, ok := newReadWatchdog(set).(*timerfdWatchdog)
	if !ok {
		t.Fatal("no timerfd watchdog on Linux")
	}
	fd := w.fd
	w.kick(time.Hour)
	w.kick(time.Hour)
	if len(set) != 0 {
		t.Fatal("a kick set the read deadline")
	}
	w.kick(time.Millisecond)
	select {
	case d := <-set:
		if !d.Before(time.Now()) {
			t.Fatalf("deadline %v is not in the past", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the watchdog did not fire")
	}
	if to, _ := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd)); to != "anon_inode:[timerfd]" {
		t.Fatalf("fd %d is %q before stop, want a timerfd", fd, to)
	}
	w.stop()
	if to, _ := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd)); to == "anon_inode:[timerfd]" {
		t.Fatalf("fd %d is still a timerfd after stop", fd)
	}
}

// TestWatchdogWithoutTimerfdUsesTheDeadline: where no timerfd can be made,
// each kick sets the socket's read deadline, as before.
func TestWatchdogWithoutTimerfdUsesTheDeadline(t *testing.T) {
	saved := timerfdCreate
	defer func() { timerfdCreate = saved }()
	timerfdCreate = func(int, int) (int, error) { return -1, unix.EMFILE }
	set := make(deadlines, 4)
	w := newReadWatchdog(set)
	defer w.stop()
	if _, ok := w.(deadlineWatchdog); !ok {
		t.Fatalf("watchdog is a %T, want the read deadline", w)
	}
	w.kick(time.Hour)
	if d := <-set; d.Before(time.Now().Add(59 * time.Minute)) {
		t.Fatalf("deadline %v, want an hour from now", d)
	}
}
