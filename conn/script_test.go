package conn_test

// scripted is the native protocol (so it talks to fakeServer) with hooks
// that stand in for what a server kind's Session does beyond it: replies,
// token renewals, refreshes, backfills and gaps. A hook left nil behaves as
// the native session does.

import (
	"context"
	"strconv"
	"testing"
	"time"

	"tasktray/backend/native"
	"tasktray/conn"
)

type scripted struct {
	*native.Protocol
	// decode sees every message first; handled false hands it on.
	decode   func(msg []byte) (dec conn.Decoded, handled bool, err error)
	backfill func(ctx context.Context, resume string) (conn.Decoded, error)
	refresh  func(ctx context.Context, token string) (conn.Decoded, error)
}

func newScripted(t *testing.T, srv *fakeServer) *scripted {
	return &scripted{Protocol: fastProtocol(t, srv.url())}
}

// useProtocol puts p in the harness's Config.
func useProtocol(p conn.Protocol) func(*conn.Config) {
	return func(c *conn.Config) { c.Protocol = p }
}

func (p *scripted) NewSession(token, resume string) conn.Session {
	return &scriptedSession{p: p, inner: p.Protocol.NewSession(token, resume)}
}

type scriptedSession struct {
	p     *scripted
	inner conn.Session
}

func (s *scriptedSession) Open() ([][]byte, error) { return s.inner.Open() }

func (s *scriptedSession) Decode(msg []byte) (conn.Decoded, error) {
	if s.p.decode != nil {
		if dec, ok, err := s.p.decode(msg); ok {
			return dec, err
		}
	}
	return s.inner.Decode(msg)
}

func (s *scriptedSession) Backfill(ctx context.Context, resume string) (conn.Decoded, error) {
	if s.p.backfill != nil {
		return s.p.backfill(ctx, resume)
	}
	return s.inner.Backfill(ctx, resume)
}

func (s *scriptedSession) Refresh(ctx context.Context, token string) (conn.Decoded, error) {
	if s.p.refresh == nil {
		return conn.Decoded{}, nil
	}
	return s.p.refresh(ctx, token)
}

// waitFor polls cond until it holds; it fails the test after wait.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// dialsReach waits until the server has seen n handshakes.
func (s *fakeServer) dialsReach(t *testing.T, n int) {
	t.Helper()
	waitFor(t, "the server saw "+strconv.Itoa(n)+" dials", func() bool {
		d, _, _ := s.get()
		return d >= n
	})
}
