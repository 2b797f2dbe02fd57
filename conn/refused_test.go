package conn_test

import (
	"strings"
	"testing"

	"tasktray/conn"
)

// A server that is gone is worded the same on every OS: the status line
// says nothing listens at its address, not the errno's own text, which on
// Windows reads "No connection could be made because the target machine
// actively refused it."
func TestRefusedDialWordedOnEveryOS(t *testing.T) {
	srv := newFakeServer(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	h := start(t, srv, nil)
	s := h.waitPhase(t, conn.Reconnecting)
	if want := "nothing is listening at " + host + " (connection refused)"; s.Reason != want {
		t.Fatalf("reason = %q, want %q", s.Reason, want)
	}
}
