package ntfy_test

import (
	"context"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"tasktray/backend/internal/backendtest"
	"tasktray/backend/ntfy"
	"tasktray/conn"
)

// gatedDialer holds its second dial until open is closed.
type gatedDialer struct {
	d    conn.Dialer
	n    atomic.Int32
	held chan struct{} // closed as the second dial waits
	open chan struct{}
	once atomic.Bool
}

func (g *gatedDialer) DialContext(ctx context.Context, url string, h http.Header) (*websocket.Conn, *http.Response, error) {
	if g.n.Add(1) == 2 {
		if g.once.CompareAndSwap(false, true) {
			close(g.held)
		}
		select {
		case <-g.open:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
	return g.d.DialContext(ctx, url, h)
}

// Both cursor files are damaged at a restart and the topics' cache is
// empty (a quiet topic: ntfy keeps 12 h). HistoryNow answers "" (no cached
// message), unlike the login, which then takes the server's time, and the
// link has no since=: it starts from its open. Its first handshake gets one
// of ntfy's spurious 403s (docs/servers.md), retried after a backoff; a
// task published meanwhile, after the restart, is lost (the user was told
// only of tasks before the restart).
func TestReviewDamagedCursorsEmptyCacheLosesNothingAfter(t *testing.T) {
	f := newFakeNtfy(t, keepalive, topic)
	s := login(t, f, topic)
	cursor := backendtest.CursorFile(t)
	r, w := reviewRun(t, s, cursor, s.Resume, 100*time.Millisecond)
	before := f.publish(topic, "before the restart", "", 0)
	r.WaitFor(waitLong, before)
	<-w.polled
	r.Stop()
	f.forget(before) // expired: the cache is empty
	for _, p := range []string{cursor.Path, cursor.Path + ".prev"} {
		if err := os.WriteFile(p, []byte("\x00garbage{"), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	p, err := ntfy.New(s.Account)
	if err != nil {
		t.Fatal(err)
	}
	p.PongWait, p.CatchUpAfter = pongWait, 100*time.Millisecond
	w = newPollWatch(p)
	g := &gatedDialer{d: p.Dialer(websocket.DefaultDialer), held: make(chan struct{}), open: make(chan struct{})}
	f.refuseNext(http.StatusForbidden)
	r = backendtest.StartRun(t, conn.Config{Protocol: w, Token: s.Token, Cursor: cursor, // a restart: no login's resume point
		Backoff: backendtest.FastBackoff, StableAfter: 200 * time.Millisecond, Dialer: g})
	<-g.held // refused once, redialling
	after := f.publish(topic, "published after the restart, before the link was up", "", 0)
	time.Sleep(1100 * time.Millisecond) // pacing: the redial comes a second later (a backoff)
	close(g.open)
	r.WaitState(waitLong, "connected", func(st conn.State) bool { return st.Phase == conn.Connected })
	<-w.polled
	marker := f.publish(topic, "marker", "", 0)
	r.WaitFor(waitLong, marker)
	if r.At(after).IsZero() {
		t.Errorf("a task published after the restart, before the first link was up, was lost (sinces %v, polls %v)", f.Sinces(), f.Polls())
	}
}
