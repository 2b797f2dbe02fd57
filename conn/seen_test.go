package conn_test

import (
	"testing"

	"tasktray/conn"
)

// TestOutOfOrderIdsAreAllDelivered: a server that sends ids 24, 23, 22 gets
// all three delivered, once; replays of them are dropped.
func TestOutOfOrderIdsAreAllDelivered(t *testing.T) {
	srv := newFakeServer(t)
	h := start(t, srv, nil)
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	for _, id := range []string{"24", "23", "22"} {
		srv.sendRaw([]byte(`{"type":"task","id":` + id + `,"title":"t` + id + `"}`))
	}
	got := h.receive(t, 3)
	for i, want := range []int64{24, 23, 22} {
		if got[i].Seq != want {
			t.Fatalf("task %d has id %d, want %d", i, got[i].Seq, want)
		}
	}
	for _, id := range []string{"22", "23", "24"} { // a replay
		srv.sendRaw([]byte(`{"type":"task","id":` + id + `,"title":"again"}`))
	}
	srv.publish("marker")
	h.expectNext(t, "marker")
}
