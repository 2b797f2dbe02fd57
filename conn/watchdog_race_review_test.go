//go:build linux

package conn

import (
	"net"
	"testing"
	"time"
)

// pastConn is a net.Conn that reports every read deadline set in the past
// (the timerfd watchdog's verdict) once it has been applied.
type pastConn struct {
	net.Conn
	past chan struct{}
}

func (c *pastConn) SetReadDeadline(t time.Time) error {
	err := c.Conn.SetReadDeadline(t)
	if !t.IsZero() && !t.After(time.Now()) {
		select {
		case c.past <- struct{}{}:
		default:
		}
	}
	return err
}

// TestReviewKickRacingTheExpiryKeepsTheLink: a frame whose bytes the reader
// took off the socket just before PongWait ran out is a frame in time; its
// kick, which the reader makes right after ReadMessage returns, may land a
// moment after the timerfd expired and after the watchdog goroutine decided
// (TimerfdGettime: not armed) and set the socket's read deadline in the
// past. The read deadline this replaces (SetReadDeadline on every frame)
// forgave that: the late kick moved the deadline on, and the next read
// waited for the next frame. The watchdog does not: its verdict is final,
// the kick only re-arms a timerfd nobody reads any more, and the next read
// fails at once with "no answer" although frames keep coming faster than
// PongWait. (The check-then-act in watch, Gettime then SetReadDeadline, is
// the same race one step earlier: a kick between the two is lost too.)
//
// Promise broken: frames arriving faster than PongWait never end the link,
// including a re-arm racing the expiry (README "Dead links are found" and
// the watch comment "a kick between the expiry and this read armed the
// timer again: the link spoke in time after all").
func TestReviewKickRacingTheExpiryKeepsTheLink(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := &pastConn{Conn: a, past: make(chan struct{}, 1)}
	w, ok := newReadWatchdog(c).(*timerfdWatchdog)
	if !ok {
		t.Fatal("no timerfd watchdog on Linux")
	}
	defer w.stop()

	w.kick(time.Millisecond) // the frame before gave the link 1 ms
	select {
	case <-c.past: // it ran out, and the watchdog has acted
	case <-time.After(10 * time.Second):
		t.Fatal("the watchdog did not fire")
	}
	// The reader's kick for the frame it read as the time ran out.
	w.kick(time.Hour)

	// The next frame comes well within the hour.
	go b.Write([]byte("x")) // b.Close ends it if the read below fails
	if _, err := a.Read(make([]byte, 1)); err != nil {
		t.Fatalf("the read after a kick of an hour failed: %v (the link ends with %q)", err, (&Client{}).readError(err))
	}
}

// TestReviewLateKickRevivesTheReadDeadline pins the behaviour the watchdog
// replaced, kept on the fallback (Windows, macOS, no timerfd): a deadline
// that ran out is moved on by the next kick, and the next read waits for
// its frame. (The expiry is observed here by a read that fails; in
// readPump that read would end the link, but a kick that lands after the
// expiry while the reader handles a frame clears it the same way.)
func TestReviewLateKickRevivesTheReadDeadline(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	w := deadlineWatchdog{a}
	defer w.stop()
	w.kick(time.Millisecond)
	// Observe that it ran out: a read fails with the deadline's error.
	if _, err := a.Read(make([]byte, 1)); err == nil {
		t.Fatal("the read did not time out")
	}
	w.kick(time.Hour)
	go b.Write([]byte("x"))
	if _, err := a.Read(make([]byte, 1)); err != nil {
		t.Fatalf("the read after a kick of an hour failed: %v", err)
	}
}

// TestReviewStopIsSafeTwiceAndAfterFiring pins readWatchdog.stop: after
// the watchdog fired (its goroutine gone, its timerfd still open), stop
// closes the timerfd; a second stop neither panics nor blocks. Passes on
// f0d0b1a.
func TestReviewStopIsSafeTwiceAndAfterFiring(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := &pastConn{Conn: a, past: make(chan struct{}, 1)}
	w, ok := newReadWatchdog(c).(*timerfdWatchdog)
	if !ok {
		t.Fatal("no timerfd watchdog on Linux")
	}
	w.kick(time.Millisecond)
	select {
	case <-c.past:
	case <-time.After(10 * time.Second):
		t.Fatal("the watchdog did not fire")
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		w.stop()
		w.stop()
	}()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("stop blocked")
	}
}
