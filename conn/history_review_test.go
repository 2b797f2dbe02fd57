package conn_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"tasktray/backend/native"
	"tasktray/conn"
)

// slowLocator is the native protocol plus a HistoryLocator whose first
// answer hangs (a slow server, a network not up yet) until its context
// ends; later ones say the history stands at "9".
type slowLocator struct {
	*native.Protocol
	calls atomic.Int32
	asked chan struct{} // closed as the first call waits
}

func (p *slowLocator) HistoryNow(ctx context.Context, _ string) (string, error) {
	if p.calls.Add(1) == 1 {
		close(p.asked)
		<-ctx.Done()
		return "", ctx.Err()
	}
	return "9", nil
}

// A restart with both cursor files damaged: conn asks where the history
// stands before its first dial. The question takes a while, and the user
// clicks "Reconnect now" meanwhile (or logind says the machine resumed):
// conn ends the question and dials at once, and never asks again
// (located stays true for a reconnect or a resume, client.go Run). The
// first link has no resume point, and the server re-sends what was
// delivered before the restart: nine tasks shown twice. (The same happens
// when the question fails, TestReviewDamagedCursorsAndNoNetworkAtStart...
// in backend/ntfy.)
func TestReviewReconnectDuringHistoryNowShowsNothingTwice(t *testing.T) {
	srv := newFakeServer(t)
	for i := range 9 {
		srv.publish(fmt.Sprintf("delivered before the restart %d", i+1))
	}
	p := &slowLocator{Protocol: fastProtocol(t, srv.url()), asked: make(chan struct{})}
	h := start(t, srv, func(c *conn.Config) { c.Protocol = p })
	select {
	case <-p.asked:
	case <-time.After(wait):
		t.Fatal("HistoryNow was not asked")
	}
	h.Reconnect()
	h.waitPhase(t, conn.Connected)
	srv.publish("marker")
	h.expectNext(t, "marker")
	if _, _, sinces := srv.get(); sinces[0] != "9" {
		t.Errorf("first dial since=%q, want %q (where the history stood); HistoryNow asked %d times", sinces[0], "9", p.calls.Load())
	}
}
