package conn

import (
	"os"
	"sync"
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
// the pending read at once with the error a deadline gives) and waits for
// the next expiry: a kick before the reader's next read (its frame came in
// time, the watchdog ran first) clears that deadline again.
type timerfdWatchdog struct {
	c    deadliner
	fd   int // kick uses it directly, under mu, until stop
	f    *os.File
	raw  syscall.RawConn
	done chan struct{} // closed when watch returns

	// mu orders kicks (the reader's, the client's on a new PongWait)
	// against the expiry and stop.
	mu      sync.Mutex
	spec    unix.ItimerSpec
	fired   bool // the read deadline is in the past
	stopped bool
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
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	w.spec.Value = unix.NsecToTimespec(int64(max(d, 1))) // 0 would disarm it
	if unix.TimerfdSettime(w.fd, 0, &w.spec, nil) != nil {
		w.c.SetReadDeadline(time.Now().Add(d)) // not expected; the link stays bounded
		return
	}
	if w.fired {
		w.fired = false
		w.c.SetReadDeadline(time.Time{})
	}
}

func (w *timerfdWatchdog) stop() {
	w.mu.Lock()
	w.stopped = true // no kick uses the fd once it is closed
	w.mu.Unlock()
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
		w.expired()
	}
}

// expired fails the reader's read, unless a kick between the expiry and
// now armed the timer again (and cleared the count): the link spoke in
// time after all.
func (w *timerfdWatchdog) expired() {
	w.mu.Lock()
	defer w.mu.Unlock()
	var cur unix.ItimerSpec
	armed := false
	w.raw.Control(func(fd uintptr) {
		armed = unix.TimerfdGettime(int(fd), &cur) == nil && (cur.Value.Sec != 0 || cur.Value.Nsec != 0)
	})
	if armed || w.stopped {
		return
	}
	w.fired = true
	w.c.SetReadDeadline(time.Unix(1, 0))
}
