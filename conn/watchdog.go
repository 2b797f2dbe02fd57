package conn

import "time"

// readWatchdog ends a link that stays silent: once no kick came for the
// time the last one gave, the link's pending (or next) read fails as a read
// deadline makes it fail, with a net.Error whose Timeout is true, which
// readError turns into msgNoAnswer.
//
// The portable one is the socket's read deadline. That is a Go runtime
// timer, and moving a timer later leaves its entry at the old time in the
// runtime's heap: the process wakes there to file it again (on Linux, with
// sysmon spinning until the netpoller thread runs it). With a frame every
// 30 s and a PongWait of 65 s that is a wake-up about 5 s after every other
// ping, about half of an idle agent's wake-ups (issue 13). On Linux the
// watchdog is a timerfd the runtime knows nothing of (watchdog_linux.go):
// a kick is one syscall, and nothing wakes until it runs out.
type readWatchdog interface {
	// kick gives the link d from now: the reader on every frame, the
	// client when the server announces another PongWait. A kick that comes
	// after the watchdog ran out but before the reader's next read (the
	// frame was read in time) takes the expiry back.
	kick(d time.Duration)
	// stop ends the watchdog and releases what it holds; the reader calls
	// it on its way out. A kick after it does nothing.
	stop()
}

// deadliner is the socket whose reads the watchdog bounds (a
// *websocket.Conn, a net.Conn). SetReadDeadline must be safe to call while
// a read is pending.
type deadliner interface{ SetReadDeadline(time.Time) error }

// deadlineWatchdog is the socket's read deadline.
type deadlineWatchdog struct{ c deadliner }

func (w deadlineWatchdog) kick(d time.Duration) { w.c.SetReadDeadline(time.Now().Add(d)) }

func (deadlineWatchdog) stop() {}
