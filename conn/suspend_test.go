package conn_test

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"tasktray/conn"
)

// TestWallClockJumpWhileConnectedRedials: a suspend shows as the wall clock
// running ahead of the monotonic one. While connected, the keepalive timers
// notice it and the client dials again at once, without a backoff, instead
// of waiting 35-65 s for the read deadline of a link that died in its sleep.
func TestWallClockJumpWhileConnectedRedials(t *testing.T) {
	srv := newFakeServer(t)
	h := start(t, srv, nil)
	h.waitPhase(t, conn.Connected)
	// A heartbeat shows the writer has read the clock since the link came up.
	waitFor(t, "a heartbeat reaches the server", func() bool { _, beats, _ := srv.get(); return beats > 0 })
	h.clock.jumpWall(time.Minute)
	srv.dialsReach(t, 2)
	h.waitPhase(t, conn.Connected)
	if n := len(h.clock.backoffs()); n != 0 {
		t.Fatalf("waited out %d backoffs after a resume", n)
	}
}

// manualClock fires a timer only when the test says, so a backoff can be
// left pending while its suspend poll runs.
type manualClock struct {
	ahead  atomic.Int64
	mu     sync.Mutex
	timers map[time.Duration][]chan time.Time
}

func (c *manualClock) Now() time.Time { return time.Now().Add(time.Duration(c.ahead.Load())) }

func (c *manualClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	ch := make(chan time.Time, 1)
	c.mu.Lock()
	if c.timers == nil {
		c.timers = map[time.Duration][]chan time.Time{}
	}
	c.timers[d] = append(c.timers[d], ch)
	c.mu.Unlock()
	return ch, func() bool { return true }
}

// fire fires every pending timer of duration d; it reports how many.
func (c *manualClock) fire(d time.Duration) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.timers[d])
	for _, ch := range c.timers[d] {
		ch <- time.Now()
	}
	delete(c.timers, d)
	return n
}

// TestWallClockJumpDuringBackoffRedials: a machine that slept through a
// 30-minute backoff dials as soon as its suspend poll sees the jump.
func TestWallClockJumpDuringBackoffRedials(t *testing.T) {
	srv := newFakeServer(t)
	srv.set(func(s *fakeServer) { s.reject = http503 })
	clock := &manualClock{}
	h := start(t, srv, func(c *conn.Config) {
		c.Clock = clock
		c.Backoff = conn.Backoff{Base: time.Hour, Max: time.Hour, Rand: func() float64 { return 0.5 }}
	})
	h.waitPhase(t, conn.Reconnecting)
	const poll = 2 * time.Second // conn's suspend poll
	waitFor(t, "the backoff polls for a suspend", func() bool { return clock.fire(poll) > 0 })
	clock.ahead.Add(int64(time.Minute))
	waitFor(t, "a poll sees the jump", func() bool {
		clock.fire(poll)
		d, _, _ := srv.get()
		return d >= 2
	})
}

// TestResumedRedials: the platform's resume signal drops the link and
// dials at once, like Reconnect; it is ignored while the server refuses the
// token.
func TestResumedRedials(t *testing.T) {
	srv := newFakeServer(t)
	h := start(t, srv, nil)
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	h.Resumed()
	srv.dialsReach(t, 2)
	h.waitPhase(t, conn.Connected)
	if n := len(h.clock.backoffs()); n != 0 {
		t.Fatalf("waited out %d backoffs after a resume", n)
	}
	srv.waitLinks(t, 1)
	srv.set(func(s *fakeServer) { s.reject = 401 })
	srv.dropAll()
	h.waitPhase(t, conn.AuthRequired)
	h.Resumed()
	srv.set(func(s *fakeServer) { s.reject = 0 })
	h.Reconnect() // the marker: a dial it asks for, and only one
	h.waitPhase(t, conn.Connected)
	if d, _, _ := srv.get(); d != 4 {
		t.Fatalf("dials = %d, want 4 (first, resume, refused after the drop, Reconnect)", d)
	}
}

// TestServerPingAfterWallClockJumpRedials: a native server that announces
// its own pings switches the client's pings and heartbeats off, so no
// keepalive timer of the client runs. A suspend while connected is noticed
// on the server's next ping, and the client dials again at once instead of
// trusting the link (or waiting for its read deadline, PongWait, and a
// backoff).
func TestServerPingAfterWallClockJumpRedials(t *testing.T) {
	srv := newFakeServer(t)
	srv.set(func(s *fakeServer) { s.hello = []byte(`{"type":"hello","epoch":"e1","ping_period":1}`) })
	h := start(t, srv, nil)
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	srv.publish("marker") // delivered after the hello, so the hello has been applied
	h.expectNext(t, "marker")
	h.clock.jumpWall(time.Minute)
	srv.pingAll(t)
	srv.dialsReach(t, 2)
	h.waitPhase(t, conn.Connected)
	if n := len(h.clock.backoffs()); n != 0 {
		t.Fatalf("waited out %d backoffs after a resume", n)
	}
}

// TestTaskAfterWallClockJumpRedialsAndArrivesOnce: the first frame after a
// suspend ends the link, and its task, dropped with it, comes with the
// next link's replay: delivered once, nothing lost.
func TestTaskAfterWallClockJumpRedialsAndArrivesOnce(t *testing.T) {
	srv := newFakeServer(t)
	srv.set(func(s *fakeServer) { s.hello = []byte(`{"type":"hello","epoch":"e1","ping_period":1}`) })
	h := start(t, srv, nil)
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	srv.publish("marker")
	h.expectNext(t, "marker")
	h.clock.jumpWall(time.Minute)
	srv.publish("after the sleep")
	h.expectNext(t, "after the sleep")
	srv.publish("marker 2")
	h.expectNext(t, "marker 2")
	if d, _, _ := srv.get(); d != 2 {
		t.Fatalf("dials = %d, want 2 (first, after the resume)", d)
	}
	if n := len(h.clock.backoffs()); n != 0 {
		t.Fatalf("waited out %d backoffs after a resume", n)
	}
}

// TestServerPingedLinkArmsNoTimer: a connected link whose server pings
// sets no timer on the Clock: waiting for a task costs no wake-up of the
// client's own (a Go timer wakes the whole runtime, docs/benchmarks.md). A
// ping without a suspend keeps the link.
func TestServerPingedLinkArmsNoTimer(t *testing.T) {
	srv := newFakeServer(t)
	srv.set(func(s *fakeServer) { s.hello = []byte(`{"type":"hello","epoch":"e1","ping_period":1}`) })
	clock := &manualClock{}
	h := start(t, srv, func(c *conn.Config) { c.Clock = clock })
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	srv.publish("marker")
	h.expectNext(t, "marker")
	srv.pingAll(t)
	srv.publish("marker 2") // read after the ping
	h.expectNext(t, "marker 2")
	if n := clock.pending(); n != 0 {
		t.Fatalf("%d timers armed on the Clock while connected, want none", n)
	}
	if d, _, _ := srv.get(); d != 1 {
		t.Fatalf("dials = %d, want 1", d)
	}
	h.stop()
}

// pingAll sends a WebSocket ping to every live link, as a server that
// keeps its links alive does.
func (s *fakeServer) pingAll(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for ws := range s.conns {
		if err := ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(wait)); err != nil {
			t.Errorf("ping: %v", err)
		}
	}
}

// pending counts the timers armed and not fired yet (a stopped one
// included: manualClock forgets a timer only when it fires it).
func (c *manualClock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, chs := range c.timers {
		n += len(chs)
	}
	return n
}

// TestResumedWithoutConnectedPoll: a link whose server pings runs no
// suspend poll, and the platform's resume signal (Resumed) still makes it
// dial again at once.
func TestResumedWithoutConnectedPoll(t *testing.T) {
	srv := newFakeServer(t)
	srv.set(func(s *fakeServer) { s.hello = []byte(`{"type":"hello","epoch":"e1","ping_period":1}`) })
	clock := &manualClock{}
	h := start(t, srv, func(c *conn.Config) { c.Clock = clock })
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	srv.publish("marker")
	h.expectNext(t, "marker")
	h.Resumed()
	waitFor(t, "a dial after the resume signal", func() bool {
		d, _, _ := srv.get()
		return d >= 2
	})
	srv.publish("marker 2")
	h.expectNext(t, "marker 2")
	if n := clock.fire(connectedPoll); n != 0 {
		t.Fatalf("%d connected suspend polls armed, want none", n)
	}
}

// connectedPoll was conn's suspend poll while connected with no keepalive
// timer of its own (until the reader checked every frame instead); a Clock
// timer of this length must never be armed.
const connectedPoll = 20 * time.Second

// TestPendingResumeDoesNotCutTheNextDial: a resume signalled while the
// server refuses the token does nothing, even when it is still pending as
// the client leaves its wait on Reconnect: the dial that follows is not cut
// short as a suspend (that was one more Generation and one more dial, and
// made TestResumedRedials count 5 dials now and then). The client is held
// in its log line just before the wait while both are signalled, so the wait
// finds both pending and picks either first; 16 rounds make the bad pick
// all but certain.
func TestPendingResumeDoesNotCutTheNextDial(t *testing.T) {
	for i := range 16 {
		srv := newFakeServer(t)
		srv.set(func(s *fakeServer) { s.reject = 401 })
		hook := &holdAtLog{msg: "server refused the token; waiting for a new login", hit: make(chan struct{}), release: make(chan struct{})}
		h := start(t, srv, func(c *conn.Config) { c.Logger = slog.New(hook) })
		select {
		case <-hook.hit:
		case <-time.After(wait):
			t.Fatal("the refusal was never logged")
		}
		srv.set(func(s *fakeServer) { s.reject = 0 })
		h.Resumed()
		h.Reconnect()
		close(hook.release)
		s := h.waitPhase(t, conn.Connected)
		h.stop()
		if s.Generation != 2 {
			t.Fatalf("round %d: connected at generation %d, want 2 (refused, Reconnect): the pending resume cut the dial short", i, s.Generation)
		}
	}
}

// holdAtLog is a slog handler that, the first time msg is logged, says so
// on hit and holds the logging goroutine until release is closed.
type holdAtLog struct {
	msg          string
	hit, release chan struct{}
	once         sync.Once
}

func (h *holdAtLog) Enabled(context.Context, slog.Level) bool { return true }

func (h *holdAtLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.once.Do(func() {
			h.hit <- struct{}{}
			<-h.release
		})
	}
	return nil
}

func (h *holdAtLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *holdAtLog) WithGroup(string) slog.Handler      { return h }
