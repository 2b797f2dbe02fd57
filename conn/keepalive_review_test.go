package conn_test

import (
	"strings"
	"testing"
	"time"

	"tasktray/conn"
)

// announcing is a scripted protocol whose links start with the Keepalive
// ka (no pings, no heartbeat: only the server's frames keep a link alive)
// and whose server announces another one in a frame "announce".
func announcing(t *testing.T, srv *fakeServer, ka, announced conn.Keepalive) fixedKeepalive {
	s := newScripted(t, srv)
	s.decode = func(msg []byte) (conn.Decoded, bool, error) {
		if string(msg) != "announce" {
			return conn.Decoded{}, false, nil
		}
		return conn.Decoded{Keepalive: &announced}, true, nil
	}
	return fixedKeepalive{s, ka}
}

// TestReviewShorterAnnouncedPongWaitEndsASilentLink: a link that starts
// with an hour's PongWait is told 200 ms by its server's hello, and the
// server says nothing more. The link must end within the PongWait in force
// after its last frame; it ends only an hour after the hello, which was
// kicked with the old PongWait (readPump: "a server's new one counts from
// the next frame", and there is no next frame). Not a regression of
// f0d0b1a: the read deadline before it did the same. Guard: 10 s.
//
// Promise broken: README "A link that stops answering is declared dead
// within PongWait"; docs/protocol.md "declares the link dead after 2 ×
// ping_period + 5 s of silence".
func TestReviewShorterAnnouncedPongWaitEndsASilentLink(t *testing.T) {
	srv := newFakeServer(t)
	p := announcing(t, srv, conn.Keepalive{PongWait: time.Hour}, conn.Keepalive{PongWait: 200 * time.Millisecond})
	_, held := holdDials(t, 1) // no redial: Reconnecting stays the newest state
	h := start(t, srv, with(held, useProtocol(p)))
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	srv.sendRaw([]byte("announce")) // the hello; then silence
	st := h.waitPhase(t, conn.Reconnecting)
	if !strings.Contains(st.Reason, "no answer") {
		t.Fatalf("reason = %q, want it to say the server stopped answering", st.Reason)
	}
}

// TestReviewLongerAnnouncedPongWaitKeepsTheLink: a link that starts with
// 300 ms is told an hour by its server's hello, and the server's next frame
// comes 1 s later, well within the hour. The hello was kicked with the old
// 300 ms, so the link ends with "no answer" before that frame. Not a
// regression of f0d0b1a (the read deadline did the same). Guard: 10 s.
//
// Promise broken: frames arriving faster than the PongWait in force never
// end the link.
func TestReviewLongerAnnouncedPongWaitKeepsTheLink(t *testing.T) {
	srv := newFakeServer(t)
	p := announcing(t, srv, conn.Keepalive{PongWait: 300 * time.Millisecond}, conn.Keepalive{PongWait: time.Hour})
	_, held := holdDials(t, 1) // a lost link is not dialled again
	h := start(t, srv, with(held, useProtocol(p)))
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	srv.sendRaw([]byte("announce"))
	time.Sleep(time.Second) // the server's silence: 1 s, the hour in force
	srv.publish("within the hour")
	select {
	case task := <-h.Tasks():
		if task.Title != "within the hour" {
			t.Fatalf("got %q", task.Title)
		}
	case s := <-h.States():
		t.Fatalf("the link ended (%v: %q) before a frame that came well within its PongWait", s.Phase, s.Reason)
	case <-time.After(10 * time.Second):
		t.Fatal("no task and no state")
	}
	if d, _, _ := srv.get(); d != 1 {
		t.Fatalf("dials = %d, want 1", d)
	}
}

// TestReviewNativeHelloPingPeriodLongerThanPongWaitKeepsTheLink is the
// same with the native protocol as docs/protocol.md has it: the hello says
// the server pings every ping_period (here 1 s: the client gives a silent
// link 2 × 1 s + 5 s = 7 s); the client stops its pings and heartbeats at
// once, yet judges the silence after the hello by its own PongWait (400 ms
// here, 60 s by default), so the link ends before the server's first ping.
// With the reference server's defaults that is a ping_period above about 55
// s (up to 5 min is accepted): every link is lost a minute after its hello
// unless a task happens to come first. Not a regression of f0d0b1a.
func TestReviewNativeHelloPingPeriodLongerThanPongWaitKeepsTheLink(t *testing.T) {
	srv := newFakeServer(t)
	srv.set(func(s *fakeServer) {
		s.hello = mustJSON(map[string]any{"type": "hello", "epoch": "E1", "ping_period": 1, "last_id": 0})
	})
	_, held := holdDials(t, 1)
	h := start(t, srv, held)
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	time.Sleep(time.Second) // the server's first ping is one ping_period after the hello
	srv.pingAll(t)
	srv.publish("after the first ping")
	select {
	case task := <-h.Tasks():
		if task.Title != "after the first ping" {
			t.Fatalf("got %q", task.Title)
		}
	case s := <-h.States():
		t.Fatalf("the link ended (%v: %q) before the server's first ping, due within 2 × ping_period + 5 s", s.Phase, s.Reason)
	case <-time.After(10 * time.Second):
		t.Fatal("no task and no state")
	}
}
