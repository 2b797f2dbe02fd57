package conn_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"tasktray/conn"
)

// TestWriterDeathWithRepliesQueuedDoesNotHang: a message whose replies do
// not fit the writer's queue, on a link whose writer then dies (the server
// stopped reading, so a write times out). Before, the link's goroutine waited
// forever to queue the rest: no task, no reconnect, Offline for good.
func TestWriterDeathWithRepliesQueuedDoesNotHang(t *testing.T) {
	srv := newFakeServer(t)
	srv.set(func(s *fakeServer) { s.deaf = true })
	p := newScripted(t, srv)
	big := []byte(strings.Repeat("r", 512<<10))
	p.decode = func(msg []byte) (conn.Decoded, bool, error) {
		if string(msg) != "flood" {
			return conn.Decoded{}, false, nil
		}
		var d conn.Decoded
		for range 64 { // 32 MiB: more than the socket buffers hold
			d.Reply = append(d.Reply, big)
		}
		return d, true, nil
	}
	_, held := holdDials(t, 1) // no redial: Reconnecting stays the newest state
	h := start(t, srv, with(held, func(c *conn.Config) {
		useProtocol(p)(c)
		c.WriteWait = 300 * time.Millisecond
	}))
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	srv.sendRaw([]byte("flood"))
	h.waitPhase(t, conn.Reconnecting)
}

// TestReconnectInterruptsHungHandshake: a server that accepts TCP but never
// answers the handshake. Reconnect must dial again at once, not after the
// 15 s handshake timeout.
func TestReconnectInterruptsHungHandshake(t *testing.T) {
	srv := newFakeServer(t)
	srv.set(func(s *fakeServer) { s.hang = make(chan struct{}) })
	h := start(t, srv, nil)
	srv.dialsReach(t, 1)
	h.Reconnect()
	srv.dialsReach(t, 2)
}

// TestSetTokenInterruptsHungHandshake: a new login does not wait out a
// handshake that hangs either.
func TestSetTokenInterruptsHungHandshake(t *testing.T) {
	srv := newFakeServer(t)
	srv.set(func(s *fakeServer) { s.hang = make(chan struct{}) })
	h := start(t, srv, nil)
	srv.dialsReach(t, 1)
	h.SetToken(srv.token)
	srv.dialsReach(t, 2)
}

// TestReconnectInterruptsBackfill: a backfill that hangs (an HTTP request to
// a server that never answers) gives way to Reconnect and to a new token.
func TestReconnectInterruptsBackfill(t *testing.T) {
	for name, ask := range map[string]func(h *harness){
		"Reconnect": func(h *harness) { h.Reconnect() },
		"SetToken":  func(h *harness) { h.SetToken(h.srv.token) },
	} {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t)
			p := newScripted(t, srv)
			started := make(chan struct{}, 4)
			p.backfill = func(ctx context.Context, resume string) (conn.Decoded, error) {
				started <- struct{}{}
				<-ctx.Done()
				return conn.Decoded{}, ctx.Err()
			}
			h := start(t, srv, useProtocol(p))
			<-started
			ask(h)
			select {
			case <-started:
			case <-time.After(wait):
				t.Fatal("the hung backfill kept the link from dialling again")
			}
			if d, _, _ := srv.get(); d != 2 {
				t.Fatalf("dials = %d, want 2", d)
			}
		})
	}
}

// TestReconnectInAuthRequiredTriesOnce: "Reconnect now" while the server
// refuses the token dials once with the current token; refused again, the
// client is back in AuthRequired and does not dial by itself.
func TestReconnectInAuthRequiredTriesOnce(t *testing.T) {
	srv := newFakeServer(t)
	srv.set(func(s *fakeServer) { s.reject = 401 })
	h := start(t, srv, nil)
	first := h.waitPhase(t, conn.AuthRequired)
	h.Reconnect()
	srv.dialsReach(t, 2)
	for s := h.waitPhase(t, conn.AuthRequired); s.Generation <= first.Generation; s = h.waitPhase(t, conn.AuthRequired) {
	}
	// No loop: the next dial is the one a new login asks for.
	srv.set(func(s *fakeServer) { s.reject = 0 })
	h.SetToken(srv.token)
	h.waitPhase(t, conn.Connected)
	if d, _, _ := srv.get(); d != 3 {
		t.Fatalf("dials = %d, want 3 (refused, retried once on Reconnect, new login)", d)
	}
}

// TestReconnectAfterUnauthorizedCloseTriesTheSameToken: a server that closed
// the link with 4401 (a restart, a hiccup in its auth backend) may take the
// same token again: Reconnect must try it.
func TestReconnectAfterUnauthorizedCloseTriesTheSameToken(t *testing.T) {
	srv := newFakeServer(t)
	h := start(t, srv, nil)
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	srv.closeAll(conn.CloseUnauthorized, "unauthorized")
	h.waitPhase(t, conn.AuthRequired)
	h.Reconnect()
	h.waitPhase(t, conn.Connected)
	srv.publish("after")
	h.expectNext(t, "after")
}
