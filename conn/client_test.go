package conn_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	"tasktray/backend/native"
	"tasktray/conn"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// wait bounds every wait in these tests: a broken client fails, never hangs.
const wait = 10 * time.Second

// fakeClock fires every timer at once and records what was asked, so
// backoffs cost no real time. Its wall clock can be made to jump ahead, as
// it does across a suspend.
type fakeClock struct {
	mu     sync.Mutex
	delays []time.Duration
	ahead  atomic.Int64 // time.Duration the wall clock jumped
}

func (f *fakeClock) Now() time.Time { return time.Now().Add(time.Duration(f.ahead.Load())) }

// jumpWall moves the wall clock ahead by d and leaves the monotonic one.
func (f *fakeClock) jumpWall(d time.Duration) { f.ahead.Add(int64(d)) }

func (f *fakeClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	f.mu.Lock()
	f.delays = append(f.delays, d)
	f.mu.Unlock()
	c := make(chan time.Time, 1)
	c <- time.Now()
	return c, func() bool { return true }
}

func (f *fakeClock) backoffs() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []time.Duration
	for _, d := range f.delays {
		if d != 2*time.Second { // the suspend poll
			out = append(out, d)
		}
	}
	return out
}

func quietLogger() *slog.Logger {
	if os.Getenv("CONN_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// fastProtocol is the native protocol with keepalive timings short enough
// for tests.
func fastProtocol(t *testing.T, url string) *native.Protocol {
	p, err := native.New(url)
	if err != nil {
		t.Fatal(err)
	}
	p.PongWait = 400 * time.Millisecond
	p.HeartbeatEvery = 50 * time.Millisecond
	return p
}

type harness struct {
	*conn.Client
	srv   *fakeServer
	clock *fakeClock
	stop  func()
}

func start(t *testing.T, srv *fakeServer, mod func(*conn.Config)) *harness {
	t.Helper()
	clock := &fakeClock{}
	cfg := conn.Config{
		Protocol: fastProtocol(t, srv.url()),
		Token:    srv.token,
		Clock:    clock,
		Logger:   quietLogger(),
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := conn.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(wait):
				t.Error("Run did not return after cancel")
			}
		})
	}
	t.Cleanup(stop)
	return &harness{Client: c, srv: srv, clock: clock, stop: stop}
}

// dialGate lets the client's first free dials through and holds the later
// ones until release (or until the dial's context ends). States keeps only
// the newest State, and with fakeClock a redial follows a lost link at once,
// so a Reconnecting or Connecting state is overwritten by the next Connected
// before a busy test may read it; a held dial keeps it the newest.
type dialGate struct {
	conn.Dialer
	mu     sync.Mutex
	free   int
	opened chan struct{}
	once   sync.Once
}

// holdDials returns a gate and the Config change that dials through it.
func holdDials(t *testing.T, free int) (*dialGate, func(*conn.Config)) {
	d, err := conn.NewDialer("")
	if err != nil {
		t.Fatal(err)
	}
	g := &dialGate{Dialer: d, free: free, opened: make(chan struct{})}
	t.Cleanup(g.release)
	return g, func(c *conn.Config) { c.Dialer = g }
}

func (g *dialGate) DialContext(ctx context.Context, url string, h http.Header) (*websocket.Conn, *http.Response, error) {
	g.mu.Lock()
	pass := g.free > 0
	if pass {
		g.free--
	}
	g.mu.Unlock()
	if !pass {
		select {
		case <-g.opened:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
	return g.Dialer.DialContext(ctx, url, h)
}

// release lets every held and later dial through.
func (g *dialGate) release() { g.once.Do(func() { close(g.opened) }) }

// with applies several Config changes in order.
func with(mods ...func(*conn.Config)) func(*conn.Config) {
	return func(c *conn.Config) {
		for _, m := range mods {
			m(c)
		}
	}
}

func (h *harness) waitPhase(t *testing.T, p conn.Phase) conn.State {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case s := <-h.States():
			if s.Phase == p {
				return s
			}
		case <-deadline:
			t.Fatalf("never reached %v", p)
		}
	}
}

func (h *harness) receive(t *testing.T, n int) []conn.Task {
	t.Helper()
	var got []conn.Task
	for len(got) < n {
		// wait bounds each task, not the batch: hundreds of tasks across
		// reconnects may take longer than wait on a loaded machine.
		select {
		case task := <-h.Tasks():
			got = append(got, task)
		case <-time.After(wait):
			t.Fatalf("received %d of %d tasks", len(got), n)
		}
	}
	return got
}

// expectNone checks that no task arrives while the link handles more traffic:
// it publishes a marker task and requires that the marker comes next.
func (h *harness) expectNext(t *testing.T, title string) {
	t.Helper()
	got := h.receive(t, 1)
	if got[0].Title != title {
		t.Fatalf("next task is %q, want %q", got[0].Title, title)
	}
}

func TestDeliversInOrder(t *testing.T) {
	srv := newFakeServer(t)
	h := start(t, srv, nil)
	h.waitPhase(t, conn.Connected)
	for i := 1; i <= 5; i++ {
		srv.publish("task " + strconv.Itoa(i))
	}
	got := h.receive(t, 5)
	for i, task := range got {
		if task.Seq != int64(i+1) || task.Title != fmt.Sprintf("task %d", i+1) {
			t.Fatalf("task %d = %+v", i, task)
		}
	}
}

func TestHeartbeatSentAndEchoIgnored(t *testing.T) {
	srv := newFakeServer(t)
	h := start(t, srv, nil)
	h.waitPhase(t, conn.Connected)
	deadline := time.Now().Add(wait)
	for {
		if _, beats, _ := srv.get(); beats >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no text heartbeat reached the server")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The server echoed every heartbeat; none of them may become a task.
	srv.publish("marker")
	h.expectNext(t, "marker")
}

func TestResumesAfterDropWithoutLossOrDuplicate(t *testing.T) {
	srv := newFakeServer(t)
	h := start(t, srv, nil)
	h.waitPhase(t, conn.Connected)
	srv.publish("one")
	h.receive(t, 1)
	srv.dropAll()
	srv.publish("two while down") // goes to history only (or to a link being torn down)
	h.waitPhase(t, conn.Connected)
	srv.publish("three")
	got := h.receive(t, 2)
	if got[0].Title != "two while down" || got[1].Title != "three" {
		t.Fatalf("after reconnect got %q, %q", got[0].Title, got[1].Title)
	}
	_, _, sinces := srv.get()
	if sinces[len(sinces)-1] != "1" {
		t.Fatalf("reconnect asked since=%q, want 1 (all sinces: %q)", sinces[len(sinces)-1], sinces)
	}
}

func TestStalledLinkIsDeclaredDead(t *testing.T) {
	srv := newFakeServer(t)
	srv.set(func(s *fakeServer) { s.stall = true })
	gate, held := holdDials(t, 1) // the redial waits, so Reconnecting stays the newest state
	h := start(t, srv, held)
	h.waitPhase(t, conn.Connected)
	// TCP stays open, but nothing answers: PongWait (400 ms here) must end it.
	s := h.waitPhase(t, conn.Reconnecting)
	if !strings.Contains(s.Reason, "no answer") {
		t.Fatalf("reason = %q, want it to say the server stopped answering", s.Reason)
	}
	srv.set(func(s *fakeServer) { s.stall = false })
	gate.release()
	h.waitPhase(t, conn.Connected)
}

func TestUnauthorizedHandshakeStopsRetrying(t *testing.T) {
	for _, status := range []int{401, 403} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			srv := newFakeServer(t)
			srv.set(func(s *fakeServer) { s.reject = status })
			h := start(t, srv, nil)
			s := h.waitPhase(t, conn.AuthRequired)
			if strings.Contains(s.Reason, srv.token) {
				t.Fatal("reason leaks the token")
			}
			srv.set(func(s *fakeServer) { s.reject = 0 })
			h.SetToken(srv.token) // a new login dials once more, and succeeds
			h.waitPhase(t, conn.Connected)
			if dials, _, _ := srv.get(); dials != 2 {
				t.Fatalf("dials = %d, want 2 (one refused, one after the new token)", dials)
			}
		})
	}
}

func TestWrongTokenAndUnauthorizedClose(t *testing.T) {
	srv := newFakeServer(t)
	h := start(t, srv, nil)
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	srv.closeAll(conn.CloseUnauthorized, "unauthorized")
	h.waitPhase(t, conn.AuthRequired)
	h.SetToken("not-the-token")
	h.waitPhase(t, conn.AuthRequired)
	h.SetToken(srv.token)
	h.waitPhase(t, conn.Connected)
}

func TestOversizedFrameCostsAReconnectNotATask(t *testing.T) {
	srv := newFakeServer(t)
	gate, held := holdDials(t, 1) // the redial waits, so Reconnecting stays the newest state
	h := start(t, srv, with(held, func(c *conn.Config) { c.ReadLimit = 1024 }))
	h.waitPhase(t, conn.Connected)
	srv.publish("before")
	h.receive(t, 1)
	srv.sendRaw([]byte(`{"type":"task","id":99,"title":"` + strings.Repeat("x", 2048) + `"}`))
	h.waitPhase(t, conn.Reconnecting)
	gate.release()
	h.waitPhase(t, conn.Connected)
	srv.publish("after")
	h.expectNext(t, "after")
}

// TestFramesDecodedToNothingCostNothing: what the session ignores (the
// native kind is strict: garbage, seed-style frames, bad ids) is neither a
// task nor a reconnect.
func TestFramesDecodedToNothingCostNothing(t *testing.T) {
	srv := newFakeServer(t)
	h := start(t, srv, nil)
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	for _, frame := range [][]byte{
		[]byte(`{"type":"task","id":`), []byte(`{"type":"task","id":-3,"title":"x"}`),
		{0xff, 0xfe, 0xfd}, []byte(`{"type":"task","id":[1]}`),
		[]byte(`{"msg":"Approve PO 4711"}`), []byte("<html>502 Bad Gateway</html>"),
	} {
		srv.sendRaw(frame)
	}
	srv.publish("marker")
	h.expectNext(t, "marker")
	if d, _, _ := srv.get(); d != 1 {
		t.Fatalf("dials = %d, want 1", d)
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	srv := newFakeServer(t)
	srv.set(func(s *fakeServer) { s.reject = http503 })
	h := start(t, srv, func(c *conn.Config) {
		c.Backoff = conn.Backoff{Base: 500 * time.Millisecond, Max: 30 * time.Second, Rand: func() float64 { return 0.999 }}
	})
	deadline := time.Now().Add(wait)
	for len(h.clock.backoffs()) < 10 {
		if time.Now().After(deadline) {
			t.Fatal("client stopped retrying")
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.stop()
	got := h.clock.backoffs()[:10]
	want := []time.Duration{500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000}
	for i := range want {
		if w := want[i] * time.Millisecond * 999 / 1000; got[i] != w {
			t.Fatalf("backoff %d = %v, want %v (all: %v)", i, got[i], w, got)
		}
	}
}

const http503 = 503

func TestBackoffDelay(t *testing.T) {
	b := conn.Backoff{Base: 500 * time.Millisecond, Max: 30 * time.Second}
	for _, tc := range []struct {
		attempt int
		r       float64
		want    time.Duration
	}{
		{0, 0, 0},
		{0, 0.5, 250 * time.Millisecond},
		{1, 0.5, 500 * time.Millisecond},
		{6, 1, 30 * time.Second},
		{60, 0.5, 15 * time.Second}, // no overflow at high attempts
	} {
		t.Run(fmt.Sprint(tc.attempt, tc.r), func(t *testing.T) {
			b.Rand = func() float64 { return tc.r }
			if got := b.Delay(tc.attempt); got != tc.want {
				t.Fatalf("Delay(%d) with r=%v = %v, want %v", tc.attempt, tc.r, got, tc.want)
			}
		})
	}
	b.Rand = nil
	for i := 0; i < 1000; i++ {
		if d := b.Delay(3); d < 0 || d >= 4*time.Second {
			t.Fatalf("jittered delay %v outside [0, 4s)", d)
		}
	}
}

func TestReconnectNowSkipsBackoff(t *testing.T) {
	srv := newFakeServer(t)
	gate, held := holdDials(t, 1) // the redial waits, so Connecting stays the newest state
	h := start(t, srv, held)
	h.waitPhase(t, conn.Connected)
	h.Reconnect()
	h.waitPhase(t, conn.Connecting)
	gate.release()
	h.waitPhase(t, conn.Connected)
	if n := len(h.clock.backoffs()); n != 0 {
		t.Fatalf("Reconnect waited out %d backoffs", n)
	}
}

func TestLogoutDisconnects(t *testing.T) {
	srv := newFakeServer(t)
	h := start(t, srv, nil)
	h.waitPhase(t, conn.Connected)
	h.SetToken("")
	s := h.waitPhase(t, conn.Disconnected)
	if s.Reason != "not logged in" {
		t.Fatalf("reason %q", s.Reason)
	}
	deadline := time.Now().Add(wait)
	for srv.liveLinks() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("link still open after log-out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestExactlyOnceAcrossDropsAndRestarts publishes 2,000 tasks while the link
// is dropped 20 times and the client is restarted twice from its cursor
// file; every task must arrive exactly once, in order.
func TestExactlyOnceAcrossDropsAndRestarts(t *testing.T) {
	const total, drops = 2000, 20
	srv := newFakeServer(t)
	srv.set(func(s *fakeServer) { s.overlap = 7 }) // every resume repeats 7 delivered tasks
	cursor := conn.FileCursor{Path: filepath.Join(t.TempDir(), "cursor.json")}
	useCursor := func(c *conn.Config) { c.Cursor = cursor }

	published := make(chan struct{})
	go func() {
		defer close(published)
		for i := 1; i <= total; i++ {
			srv.publish("t" + strconv.Itoa(i))
			if i%(total/drops) == 0 {
				srv.dropAll()
			}
			if i%50 == 0 {
				time.Sleep(time.Millisecond) // let reconnects interleave with publishing
			}
		}
	}()

	var got []conn.Task
	for run := 0; run < 3 && len(got) < total; run++ {
		h := start(t, srv, useCursor)
		want := total - len(got)
		if run < 2 {
			want = min(want, 700)
		}
		got = append(got, h.receive(t, want)...)
		h.stop()
	}
	<-published
	for i, task := range got {
		if task.Seq != int64(i+1) {
			t.Fatalf("task %d has id %d: lost or duplicated around it", i+1, task.Seq)
		}
	}
	if len(got) != total {
		t.Fatalf("got %d tasks, want %d", len(got), total)
	}
	// Nothing more may come: a restart from the cursor repeats nothing.
	h := start(t, srv, useCursor)
	srv.publish("marker")
	h.expectNext(t, "marker")
}

func TestRunTwiceIsRefused(t *testing.T) {
	srv := newFakeServer(t)
	h := start(t, srv, nil)
	h.waitPhase(t, conn.Connected)
	if err := h.Run(context.Background()); err == nil {
		t.Fatal("second Run did not fail")
	}
}

func TestNewRejectsBadKeepalive(t *testing.T) {
	p, _ := native.New("http://127.0.0.1:1")
	p.PongWait = 0
	if _, err := conn.New(conn.Config{Protocol: p}); err == nil {
		t.Fatal("PongWait 0 accepted")
	}
	if _, err := conn.New(conn.Config{}); err == nil {
		t.Fatal("missing protocol accepted")
	}
}

// TestServerAnnouncedKeepaliveStopsHeartbeats: a server that says it pings
// gets no text heartbeat from the client (each would wake a laptop).
func TestServerAnnouncedKeepaliveStopsHeartbeats(t *testing.T) {
	srv := newFakeServer(t)
	srv.set(func(s *fakeServer) { s.hello = []byte(`{"type":"hello","epoch":"e1","ping_period":1}`) })
	h := start(t, srv, nil) // heartbeats every 50 ms until the hello says otherwise
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	srv.publish("after the hello")
	h.expectNext(t, "after the hello")
	// Watch the link for 20 heartbeat periods, the server pinging it as it
	// said it would. One heartbeat may still be on its way (the writer may
	// apply the hello just after the task came through); a client that
	// kept heartbeating sends about 20.
	_, before, _ := srv.get()
	for range 10 {
		time.Sleep(100 * time.Millisecond)
		srv.pingAll(t)
	}
	dials, after, _ := srv.get()
	if dials != 1 {
		t.Fatalf("%d dials: the link did not last the watch", dials)
	}
	if after > before+1 {
		t.Errorf("%d heartbeats in 1 s after the server said it pings", after-before)
	}
	// And the link still delivers.
	srv.publish("still there")
	h.expectNext(t, "still there")
}
