package conn_test

import (
	"strings"
	"testing"
	"time"

	"tasktray/conn"
)

// fixedKeepalive is a scripted protocol whose links keep the Keepalive it
// is given: with no PingPeriod and no heartbeat the client sends nothing, so
// only the server's frames keep its link alive.
type fixedKeepalive struct {
	*scripted
	ka conn.Keepalive
}

func (p fixedKeepalive) Keepalive() conn.Keepalive { return p.ka }

// TestServerFramesKeepTheLinkPastPongWait: a server that pings far more
// often than PongWait keeps its link for many times PongWait. Every frame
// must push the read watchdog on; one that did not would end the link after
// the first PongWait, and the client would dial again.
func TestServerFramesKeepTheLinkPastPongWait(t *testing.T) {
	srv := newFakeServer(t)
	p := fixedKeepalive{newScripted(t, srv), conn.Keepalive{PongWait: 250 * time.Millisecond}}
	h := start(t, srv, useProtocol(p))
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	for range 60 { // at least 1.2 s: about 5 PongWaits
		time.Sleep(20 * time.Millisecond)
		srv.pingAll(t)
	}
	if d, _, _ := srv.get(); d != 1 {
		t.Fatalf("dials = %d, want 1: the link ended although the server kept pinging", d)
	}
	srv.publish("still there")
	h.expectNext(t, "still there")
}

// TestAnnouncedPongWaitAppliesToTheNextFrame: a link that starts with an
// hour's PongWait and is told a short one (a server's hello) ends with "no
// answer" once the server goes silent after its next frame.
func TestAnnouncedPongWaitAppliesToTheNextFrame(t *testing.T) {
	srv := newFakeServer(t)
	s := newScripted(t, srv)
	s.decode = func(msg []byte) (conn.Decoded, bool, error) {
		if string(msg) != "short" {
			return conn.Decoded{}, false, nil
		}
		return conn.Decoded{Keepalive: &conn.Keepalive{PongWait: 200 * time.Millisecond}}, true, nil
	}
	p := fixedKeepalive{s, conn.Keepalive{PongWait: time.Hour}}
	_, held := holdDials(t, 1) // no redial: Reconnecting stays the newest state
	h := start(t, srv, with(held, useProtocol(p)))
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	srv.sendRaw([]byte("short"))
	srv.publish("after the hello") // handled after the hello: its PongWait is in force
	h.expectNext(t, "after the hello")
	srv.publish("next frame") // read after that: the watchdog takes the new PongWait
	h.expectNext(t, "next frame")
	// Nothing more comes.
	st := h.waitPhase(t, conn.Reconnecting)
	if !strings.Contains(st.Reason, "no answer") {
		t.Fatalf("reason = %q, want it to say the server stopped answering", st.Reason)
	}
}
