package neterr_test

import (
	"context"
	"errors"
	"net"
	"testing"

	"tasktray/internal/neterr"
)

// A dial to a port nobody listens on is Refused on every OS, through the
// wrapping of net's errors and of our own.
func TestRefusedDial(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var d net.Dialer
	_, err = d.DialContext(context.Background(), "tcp", addr)
	if err == nil {
		t.Fatalf("dial %s after its listener closed worked", addr)
	}
	if !neterr.Refused(err) {
		t.Errorf("Refused(%v) = false, want true", err)
	}
	if wrapped := errors.Join(errors.New("link down"), err); !neterr.Refused(wrapped) {
		t.Errorf("Refused(%v) = false through a wrap", wrapped)
	}
}

// Other failures are not Refused.
func TestNotRefused(t *testing.T) {
	for _, err := range []error{nil, errors.New("connection refused"), context.DeadlineExceeded, &net.DNSError{Err: "no such host", IsNotFound: true}} {
		if neterr.Refused(err) {
			t.Errorf("Refused(%v) = true", err)
		}
	}
}
