package conn

import (
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// timerfdCreate makes the watchdog's timer; a test makes it fail.
var timerfdCreate = unix.TimerfdCreate

// newReadWatchdog returns a timerfd watchdog, or the read deadline where
// no timerfd can be made.
func newReadWatchdog(c deadliner) readWatchdog {
	if w, err := newTimerfdWatchdog(c); err == nil {
		return w
	}
	return deadlineWatchdog{c}
}

// timerfdWatchdog is a one-shot timerfd on CLOCK_MONOTONIC (the clock of
// Go's deadlines: a suspend does not count) that a goroutine reads through
// the netpoller. A kick re-arms it; when it runs out, the goroutine sets
// the socket's read deadline in the past (which arms no timer, and fails
// the pending read at once with the error a deadline gives) and returns.
type timerfdWatchdog struct {
	c    deadliner
	fd   int // kick uses it directly: only the reader kicks, and only before stop
	f    *os.File
	raw  syscall.RawConn
	done chan struct{} // closed when watch returns
	spec unix.ItimerSpec
}

func newTimerfdWatchdog(c deadliner) (*timerfdWatchdog, error) {
	fd, err := timerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "timerfd") // non-blocking: reads park in the netpoller
	// A file the netpoller did not take has no deadlines; a read of it
	// would hold a thread, and stop could not end it.
	if err := f.SetReadDeadline(time.Time{}); err != nil {
		f.Close()
		return nil, err
	}
	raw, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	w := &timerfdWatchdog{c: c, fd: fd, f: f, raw: raw, done: make(chan struct{})}
	go w.watch()
	return w, nil
}

func (w *timerfdWatchdog) kick(d time.Duration) {
	w.spec.Value = unix.NsecToTimespec(int64(max(d, 1))) // 0 would disarm it
	if unix.TimerfdSettime(w.fd, 0, &w.spec, nil) != nil {
		w.c.SetReadDeadline(time.Now().Add(d)) // not expected; the link stays bounded
	}
}

func (w *timerfdWatchdog) stop() {
	w.f.Close() // ends the pending read
	<-w.done
}

func (w *timerfdWatchdog) watch() {
	defer close(w.done)
	var buf [8]byte // the count of expiries
	for {
		if _, err := w.f.Read(buf[:]); err != nil {
			return // stop closed it
		}
		// A kick between the expiry and this read armed the timer again
		// (and cleared the count): the link spoke in time after all.
		var cur unix.ItimerSpec
		armed := false
		w.raw.Control(func(fd uintptr) {
			armed = unix.TimerfdGettime(int(fd), &cur) == nil && (cur.Value.Sec != 0 || cur.Value.Nsec != 0)
		})
		if armed {
			continue
		}
		w.c.SetReadDeadline(time.Unix(1, 0))
		return
	}
}
