package conn_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"tasktray/conn"
)

// observed is a scripted protocol that records what its Client reports
// delivered (conn.DeliveryObserver).
type observed struct {
	*scripted
	mu  sync.Mutex
	ids []string
}

func (p *observed) Delivered(t conn.Task) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ids = append(p.ids, t.ID)
}

func (p *observed) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.ids)
}

// TestDeliveryObserverSeesEveryDeliveredTask: a Protocol that observes
// deliveries hears of each task the Client hands on, whether it came over
// the socket or from a Refresh (ntfy's catch-up poll), once, and not of one
// the Client dropped as delivered before. Without it, ntfy's Protocol knew
// only what the stream brought, and a poll that reached back further than
// the Client's window of ids popped an old task again (seen under Wine:
// one task delivered as the 343rd and again as the 1451st).
func TestDeliveryObserverSeesEveryDeliveredTask(t *testing.T) {
	srv := newFakeServer(t)
	p := &observed{scripted: newScripted(t, srv)}
	p.decode = refreshSoon
	var first int
	p.refresh = func(context.Context, string) (conn.Decoded, error) {
		return conn.Decoded{Tasks: []conn.Task{
			{ID: strconv.Itoa(first), Title: "stream task, again"}, // dropped: delivered before
			{ID: "from-the-poll", Title: "found by the poll"},
		}}, nil
	}
	h := start(t, srv, useProtocol(p))
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	first = srv.publish("stream task")
	h.expectNext(t, "stream task")
	srv.sendRaw([]byte("refresh-soon"))
	h.expectNext(t, "found by the poll")
	second := srv.publish("after the poll") // delivered after the poll's: the observer has both
	h.expectNext(t, "after the poll")
	want := []string{strconv.Itoa(first), "from-the-poll", strconv.Itoa(second)}
	// Delivered is called just after the task is handed on: wait for it.
	deadline := time.Now().Add(10 * time.Second)
	for len(p.seen()) < len(want) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got := p.seen(); !slices.Equal(got, want) {
		t.Errorf("observer heard %q, want %q", got, want)
	}
}
