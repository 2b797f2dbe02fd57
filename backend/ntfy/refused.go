package ntfy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/gorilla/websocket"

	"tasktray/conn"
)

// ForbiddenInARow is how many handshakes in a row ntfy must refuse with 403
// before the user is asked to log in again. A real ntfy refuses a valid
// token with 403 now and then under concurrent requests from one IP (users
// without a tier share a per-IP visitor whose user is swapped per request:
// 22-33 of 300 concurrent handshakes here), so a single 403 proves nothing;
// a topic the user may no longer read refuses every time.
const ForbiddenInARow = 3

// handshakeClassifier is the optional interface asked of conn (see
// HandshakeRefused); declared here until conn has it.
type handshakeClassifier interface {
	HandshakeRefused(status, refusals int) error
}

var _ handshakeClassifier = (*Protocol)(nil)

// HandshakeRefused says what a handshake refused with HTTP status means;
// refusals counts the handshakes refused in a row, this one included. Only
// 401 means at once that the token is no good; a 403 does once it has
// persisted ForbiddenInARow times. An error wrapping conn.ErrUnauthorized
// stops the link until the user logs in again; any other error is retried
// with the backoff; nil leaves the status to conn.
func (p *Protocol) HandshakeRefused(status, refusals int) error {
	switch status {
	case http.StatusUnauthorized:
		return fmt.Errorf("%w (HTTP 401 at the handshake)", conn.ErrUnauthorized)
	case http.StatusForbidden:
		if refusals >= ForbiddenInARow {
			return fmt.Errorf("%w (HTTP 403 at the handshake, %d times in a row)", conn.ErrUnauthorized, refusals)
		}
		return fmt.Errorf("handshake refused: HTTP 403 (%d of %d before asking to log in again)", refusals, ForbiddenInARow)
	}
	return nil
}

// Dialer wraps d so that conn sees the handshake refusals as
// HandshakeRefused classifies them. It is the adapter for today's conn,
// which takes 401 and 403 alike for "log in again": a refusal that is to be
// retried reaches conn without its response, as a failed dial. Use it as the
// conn.Config.Dialer of an ntfy link (one Dialer per Client: it counts).
func (p *Protocol) Dialer(d conn.Dialer) conn.Dialer {
	return &refusalDialer{d: d, p: p}
}

// WrapDialer is Dialer under the name the agent looks for on every kind's
// Protocol (the custom kind's wraps dial errors the same way).
func (p *Protocol) WrapDialer(d conn.Dialer) conn.Dialer { return p.Dialer(d) }

type refusalDialer struct {
	d conn.Dialer
	p *Protocol

	mu       sync.Mutex
	refusals int // handshakes refused in a row
}

func (r *refusalDialer) DialContext(ctx context.Context, url string, h http.Header) (*websocket.Conn, *http.Response, error) {
	ws, resp, err := r.d.DialContext(ctx, url, h)
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err == nil:
		r.refusals = 0
		return ws, resp, nil
	case resp == nil:
		return ws, resp, err // no answer: not a refusal
	}
	r.refusals++
	verdict := r.p.HandshakeRefused(resp.StatusCode, r.refusals)
	if verdict == nil || errors.Is(verdict, conn.ErrUnauthorized) {
		return ws, resp, err // conn's own reading of 401 and 403
	}
	if resp.Body != nil {
		resp.Body.Close()
	}
	return nil, nil, verdict
}
