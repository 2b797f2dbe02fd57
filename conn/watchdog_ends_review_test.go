//go:build linux

package conn_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gorilla/websocket"

	"tasktray/conn"
)

// permitDialer lets one dial through per permit (or none once its context
// ends), so a lost link is not replaced before the test has looked; the
// connections it makes fail every write once failWrites is set.
type permitDialer struct {
	ws         websocket.Dialer
	permits    chan struct{}
	failWrites atomic.Bool
}

func newPermitDialer() *permitDialer {
	d := &permitDialer{permits: make(chan struct{}, 1)}
	d.ws = websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &failingConn{Conn: c, fail: &d.failWrites}, nil
	}}
	return d
}

func (d *permitDialer) DialContext(ctx context.Context, url string, h http.Header) (*websocket.Conn, *http.Response, error) {
	select {
	case <-d.permits:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	return d.ws.DialContext(ctx, url, h)
}

type failingConn struct {
	net.Conn
	fail *atomic.Bool
}

func (c *failingConn) Write(b []byte) (int, error) {
	if c.fail.Load() {
		return 0, errors.New("review: the network refuses writes")
	}
	return c.Conn.Write(b)
}

// watchers counts the goroutines in a timerfd watchdog's watch.
func watchers() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "(*timerfdWatchdog).watch(")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// TestReviewEveryWayALinkEndsClosesItsTimerfd pins what
// TestLinkWatchesSilenceWithATimerfd checks only for a cancelled Run: the
// link's timerfd (and its goroutine: goleak) is gone after every way a
// link ends (the watchdog firing on a silent server, the server's close
// frame, a dropped TCP connection, a write failure, Reconnect), 5 rounds
// in a row, and then after the cancel; and a link after one that the
// watchdog ended is not touched by its verdict (it carries tasks).
// Passes on f0d0b1a: a pin, not a failure.
func TestReviewEveryWayALinkEndsClosesItsTimerfd(t *testing.T) {
	base := timerfds(t)
	srv := newFakeServer(t)
	d := newPermitDialer()
	h := start(t, srv, func(c *conn.Config) { c.Dialer = d })
	ways := []struct {
		name   string
		before func() // before the dial
		end    func()
		phase  conn.Phase
		reason string
	}{
		{"watchdog", func() { srv.set(func(s *fakeServer) { s.stall = true }) }, func() {}, conn.Reconnecting, "no answer"},
		{"close frame", nil, func() { srv.closeAll(websocket.CloseGoingAway, "bye") }, conn.Reconnecting, "server closed the link"},
		{"dropped", nil, srv.dropAll, conn.Reconnecting, ""},
		{"write failure", nil, func() { d.failWrites.Store(true) }, conn.Reconnecting, "write failed"},
		{"reconnect", nil, h.Reconnect, conn.Connecting, ""},
	}
	task := 0
	for round := range 5 {
		for _, w := range ways {
			srv.set(func(s *fakeServer) { s.stall = false })
			d.failWrites.Store(false)
			if w.before != nil {
				w.before()
			}
			d.permits <- struct{}{}
			h.waitPhase(t, conn.Connected)
			waitFor(t, "the link has its timerfd and its watcher", func() bool { return timerfds(t) == base+1 && watchers() == 1 })
			if w.name != "watchdog" {
				// The link works (the one before it did not leave it a
				// deadline in the past).
				srv.waitLinks(t, 1)
				task++
				title := "task " + w.name
				srv.publish(title)
				h.expectNext(t, title)
			}
			w.end()
			st := h.waitPhase(t, w.phase)
			if !strings.Contains(st.Reason, w.reason) {
				t.Fatalf("round %d, %s: reason %q, want %q", round, w.name, st.Reason, w.reason)
			}
			if n := timerfds(t); n != base {
				t.Fatalf("round %d, %s: %d timerfds open after the link ended, want %d", round, w.name, n, base)
			}
			// stop waits for watch's deferred close(done); the goroutine
			// itself exits a moment later.
			waitFor(t, "no watchdog goroutine is left", func() bool { return watchers() == 0 })
			if w.name == "watchdog" {
				srv.dropAll() // the stalled server's side
			}
		}
	}
	d.failWrites.Store(false)
	d.permits <- struct{}{}
	h.waitPhase(t, conn.Connected)
	waitFor(t, "the link has its timerfd", func() bool { return timerfds(t) == base+1 })
	h.stop()
	if n := timerfds(t); n != base {
		t.Fatalf("%d timerfds open after Run returned, want %d", n, base)
	}
	waitFor(t, "no watchdog goroutine is left", func() bool { return watchers() == 0 })
}
