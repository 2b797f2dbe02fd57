package conn_test

// Tests of several addresses for one service (Config.Alternates): the link
// tries them in order, resumes on whichever answers with the same cursor,
// and says in State.Server which one it is on.

import (
	"strconv"
	"testing"

	"tasktray/conn"
)

// twoAddresses makes the client dial a first, then b.
func twoAddresses(t *testing.T, a, b *fakeServer) func(*conn.Config) {
	return func(c *conn.Config) {
		c.Protocol = fastProtocol(t, a.url())
		c.Server = "node-a"
		c.Alternates = []conn.Address{{Server: "node-b", Protocol: fastProtocol(t, b.url())}}
	}
}

// publishBoth publishes the same task on both nodes: one service, one history.
func publishBoth(a, b *fakeServer, title string) {
	a.publish(title)
	b.publish(title)
}

func TestSecondAddressWhenTheFirstIsDown(t *testing.T) {
	a, b := newFakeServer(t), newFakeServer(t)
	b.token = a.token
	a.Close() // nothing listens on the first address
	h := start(t, a, twoAddresses(t, a, b))
	s := h.waitPhase(t, conn.Connected)
	if s.Server != "node-b" {
		t.Fatalf("connected state names %q, want node-b", s.Server)
	}
	b.waitLinks(t, 1)
	b.publish("on b")
	h.expectNext(t, "on b")
}

// TestMovesToTheOtherNodeAndResumes: the link is on the first node; that
// node dies; the link moves to the second one and asks it for what came
// after the last delivered task: nothing lost, nothing twice.
func TestMovesToTheOtherNodeAndResumes(t *testing.T) {
	a, b := newFakeServer(t), newFakeServer(t)
	b.token = a.token
	h := start(t, a, twoAddresses(t, a, b))
	if s := h.waitPhase(t, conn.Connected); s.Server != "node-a" {
		t.Fatalf("connected state names %q, want node-a", s.Server)
	}
	a.waitLinks(t, 1)
	for i := 1; i <= 3; i++ {
		publishBoth(a, b, "task "+strconv.Itoa(i))
	}
	h.receive(t, 3)
	// Node a stops listening before its link is cut: cut first, the client
	// could redial a before Close, and a link it upgrades outlives Close
	// (httptest waits for no hijacked connection).
	a.Close()
	a.dropAll()
	for i := 4; i <= 5; i++ { // published while the link moves
		b.publish("task " + strconv.Itoa(i))
	}
	if s := h.waitPhase(t, conn.Connected); s.Server != "node-b" {
		t.Fatalf("connected state names %q, want node-b", s.Server)
	}
	got := h.receive(t, 2)
	for i, task := range got {
		if want := "task " + strconv.Itoa(i+4); task.Title != want {
			t.Fatalf("task %d after the move is %q, want %q", i, task.Title, want)
		}
	}
	if _, _, sinces := b.get(); sinces[len(sinces)-1] != "3" {
		t.Fatalf("node b was asked since=%q, want 3 (the same cursor)", sinces[len(sinces)-1])
	}
	b.publish("marker")
	h.expectNext(t, "marker")
}

// TestOneBackoffPerRoundOfAddresses: when every address refuses, each
// round dials every address once, in order, and then waits one backoff.
func TestOneBackoffPerRoundOfAddresses(t *testing.T) {
	a, b := newFakeServer(t), newFakeServer(t)
	b.token = a.token
	a.set(func(s *fakeServer) { s.reject = 503 })
	b.set(func(s *fakeServer) { s.reject = 503 })
	h := start(t, a, twoAddresses(t, a, b))
	for {
		s := h.waitPhase(t, conn.Reconnecting)
		if s.Attempt >= 3 {
			break
		}
	}
	h.stop()
	da, _, _ := a.get()
	db, _, _ := b.get()
	waits := len(h.clock.backoffs())
	if da-db != 0 && da-db != 1 {
		t.Fatalf("dials: node a %d, node b %d; want them in turn, a first", da, db)
	}
	if waits != db && waits != db-1 {
		t.Fatalf("%d backoff waits for %d rounds (a %d, b %d dials); want one per round", waits, db, da, db)
	}
}
