package conn_test

// Tests of the API added for the reliability work: Config.StartFrom,
// Decoded.Token and Client.Renewals, Refresher, Decoded.Gap and
// Client.Gaps, and Backfill's Decoded.

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"tasktray/backend/native"
	"tasktray/conn"
)

func TestStartFromOnlyWhenTheCursorHasNoResume(t *testing.T) {
	for name, tc := range map[string]struct{ stored, want string }{
		"empty cursor":  {"", "5"},
		"cursor resume": {"3", "3"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t)
			store := &conn.MemoryCursor{}
			store.Save(conn.Cursor{Resume: tc.stored})
			h := start(t, srv, func(c *conn.Config) { c.Cursor = store; c.StartFrom = "5" })
			h.waitPhase(t, conn.Connected)
			if _, _, sinces := srv.get(); sinces[0] != tc.want {
				t.Fatalf("first dial asked since=%q, want %q", sinces[0], tc.want)
			}
		})
	}
}

func tokenFrame(token string) []byte {
	return []byte(`{"type":"token","token":"` + token + `","expires_at":"` + time.Now().Add(24*time.Hour).Format(time.RFC3339) + `"}`)
}

func nextRenewal(t *testing.T, h *harness) conn.Renewal {
	t.Helper()
	select {
	case r := <-h.Renewals():
		return r
	case <-time.After(wait):
		t.Fatal("no renewal published")
	}
	return conn.Renewal{}
}

// TestRenewalSwitchesTokenWithoutReconnect: a token the server hands over
// is published for the keyring, the link stays up, and the next dial uses it.
func TestRenewalSwitchesTokenWithoutReconnect(t *testing.T) {
	srv := newFakeServer(t)
	h := start(t, srv, nil)
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	srv.sendRaw(tokenFrame("renewed-1"))
	if r := nextRenewal(t, h); r.Token != "renewed-1" || r.ExpiresAt.IsZero() {
		t.Fatalf("renewal = %+v", r)
	}
	srv.publish("marker")
	h.expectNext(t, "marker")
	if d, _, _ := srv.get(); d != 1 {
		t.Fatalf("dials = %d: the renewal cost a reconnect", d)
	}
	srv.set(func(s *fakeServer) { s.token = "renewed-1" }) // the old token is refused from now on
	srv.dropAll()
	srv.dialsReach(t, 2)
	h.waitPhase(t, conn.Connected)
}

// TestRenewalForAReplacedTokenIsDropped: a renewal that arrives after a new
// login belongs to the old session; the link dials with the new login's
// token, and the renewal is not handed to the keyring.
func TestRenewalForAReplacedTokenIsDropped(t *testing.T) {
	srv := newFakeServer(t)
	p := newScripted(t, srv)
	var h *harness
	p.decode = func(msg []byte) (conn.Decoded, bool, error) {
		if string(msg) != "login-then-renew" {
			return conn.Decoded{}, false, nil
		}
		h.SetToken("new-login") // the user logged in again just before
		return conn.Decoded{Token: &conn.Renewal{Token: "old-session-renewed"}}, true, nil
	}
	h = start(t, srv, useProtocol(p))
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	srv.set(func(s *fakeServer) { s.token = "new-login" })
	srv.sendRaw([]byte("login-then-renew"))
	srv.dialsReach(t, 2)
	for {
		s := h.waitPhase(t, conn.Connected)
		if s.Generation >= 2 {
			break
		}
	}
	select {
	case r := <-h.Renewals():
		t.Fatalf("renewal %q of the replaced token published", r.Token)
	default:
	}
}

// refreshSoon is a message after which the scripted session wants a refresh.
func refreshSoon(msg []byte) (conn.Decoded, bool, error) {
	if string(msg) != "refresh-soon" {
		return conn.Decoded{}, false, nil
	}
	return conn.Decoded{RefreshIn: time.Millisecond}, true, nil
}

// TestRefreshRunsOffTheReadPath: tasks flow while a refresh hangs; its
// token is used and published when it returns.
func TestRefreshRunsOffTheReadPath(t *testing.T) {
	srv := newFakeServer(t)
	p := newScripted(t, srv)
	p.decode = refreshSoon
	started, release := make(chan string, 1), make(chan struct{})
	p.refresh = func(ctx context.Context, token string) (conn.Decoded, error) {
		started <- token
		select {
		case <-release:
		case <-ctx.Done():
			return conn.Decoded{}, ctx.Err()
		}
		return conn.Decoded{Token: &conn.Renewal{Token: "refreshed"}}, nil
	}
	h := start(t, srv, useProtocol(p))
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	srv.sendRaw([]byte("refresh-soon"))
	if tok := <-started; tok != srv.token {
		t.Fatal("refresh was not handed the link's token")
	}
	srv.publish("while refreshing")
	h.expectNext(t, "while refreshing")
	close(release)
	if r := nextRenewal(t, h); r.Token != "refreshed" {
		t.Fatalf("renewal %+v", r)
	}
}

// TestRefreshRetriedAfterError: a failed refresh is tried again (after
// refreshRetry on the injected clock) and its token then used.
func TestRefreshRetriedAfterError(t *testing.T) {
	srv := newFakeServer(t)
	p := newScripted(t, srv)
	p.decode = refreshSoon
	var calls atomic.Int32
	p.refresh = func(ctx context.Context, token string) (conn.Decoded, error) {
		if calls.Add(1) == 1 {
			return conn.Decoded{}, errors.New("token endpoint: HTTP 502")
		}
		return conn.Decoded{Token: &conn.Renewal{Token: "second-try"}}, nil
	}
	h := start(t, srv, useProtocol(p))
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	srv.sendRaw([]byte("refresh-soon"))
	if r := nextRenewal(t, h); r.Token != "second-try" || calls.Load() != 2 {
		t.Fatalf("renewal %+v after %d calls", r, calls.Load())
	}
	if d, _, _ := srv.get(); d != 1 {
		t.Fatalf("dials = %d: a failed refresh cost a reconnect", d)
	}
}

// TestRefreshUnauthorizedEndsTheLink: a refresh the server refuses means the
// session is over: log in again.
func TestRefreshUnauthorizedEndsTheLink(t *testing.T) {
	srv := newFakeServer(t)
	p := newScripted(t, srv)
	p.decode = refreshSoon
	p.refresh = func(ctx context.Context, token string) (conn.Decoded, error) {
		return conn.Decoded{}, fmt.Errorf("%w: refresh refused", conn.ErrUnauthorized)
	}
	h := start(t, srv, useProtocol(p))
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	srv.sendRaw([]byte("refresh-soon"))
	h.waitPhase(t, conn.AuthRequired)
}

// TestRefreshDoesNotOutliveRun: Run returns only after a running refresh
// has returned.
func TestRefreshDoesNotOutliveRun(t *testing.T) {
	srv := newFakeServer(t)
	p := newScripted(t, srv)
	p.decode = refreshSoon
	running := make(chan struct{})
	var returned atomic.Bool
	p.refresh = func(ctx context.Context, token string) (conn.Decoded, error) {
		close(running)
		<-ctx.Done()
		time.Sleep(200 * time.Millisecond) // a slow clean-up after cancel
		returned.Store(true)
		return conn.Decoded{}, ctx.Err()
	}
	h := start(t, srv, useProtocol(p))
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	srv.sendRaw([]byte("refresh-soon"))
	<-running
	h.stop()
	if !returned.Load() {
		t.Fatal("Run returned while its refresh was still running")
	}
}

// TestBackfillGapIsPublished: what a server can no longer supply reaches
// the owner on Gaps.
func TestBackfillGapIsPublished(t *testing.T) {
	srv := newFakeServer(t)
	p := newScripted(t, srv)
	before := time.Date(2026, 12, 2, 14, 2, 0, 0, time.UTC)
	p.backfill = func(ctx context.Context, resume string) (conn.Decoded, error) {
		return conn.Decoded{Gap: &conn.Gap{Before: before, Reason: "the server keeps 1,000 tasks"}}, nil
	}
	h := start(t, srv, useProtocol(p))
	select {
	case g := <-h.Gaps():
		if !g.Before.Equal(before) {
			t.Fatalf("gap %+v", g)
		}
	case <-time.After(wait):
		t.Fatal("no gap published")
	}
}

// TestResumeWithoutTaskWaitsForTheTasks: a Decoded's Resume may lie past its
// tasks; it is kept only once they are all delivered, or a restart would
// skip those not delivered.
func TestResumeWithoutTaskWaitsForTheTasks(t *testing.T) {
	srv := newFakeServer(t)
	p := newScripted(t, srv)
	p.backfill = func(ctx context.Context, resume string) (conn.Decoded, error) {
		return conn.Decoded{Tasks: []conn.Task{{ID: "a", Title: "a"}, {ID: "b", Title: "b"}}, Resume: "99"}, nil
	}
	store := &conn.MemoryCursor{}
	h := start(t, srv, func(c *conn.Config) { useProtocol(p)(c); c.Cursor = store })
	h.expectNext(t, "a")
	h.stop() // b was never delivered
	if c, _ := store.Load(); c.Resume == "99" {
		t.Fatal("the resume point moved past a task that was not delivered")
	}
}

// locatingProtocol is the native protocol plus a HistoryLocator that says
// where the server's history stands.
type locatingProtocol struct {
	*native.Protocol
	now   string
	asked chan string // the token each HistoryNow call got
}

func (p *locatingProtocol) HistoryNow(_ context.Context, token string) (string, error) {
	p.asked <- token
	return p.now, nil
}

// TestHistoryLocatorWhenNoResumePoint: with no resume point at all (a
// damaged cursor after a restart, no StartFrom), the first dial resumes from
// where the protocol says the history stands, so what a server re-sends
// from before then is not shown again; with a resume point it is not asked.
func TestHistoryLocatorWhenNoResumePoint(t *testing.T) {
	for name, tc := range map[string]struct {
		stored, startFrom, want string
		asked                   bool
	}{
		"damaged, no StartFrom": {"", "", "9", true},
		"StartFrom":             {"", "5", "5", false},
		"stored resume":         {"3", "", "3", false},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t)
			store := &conn.MemoryCursor{}
			store.Save(conn.Cursor{Resume: tc.stored})
			p := &locatingProtocol{Protocol: fastProtocol(t, srv.url()), now: "9", asked: make(chan string, 4)}
			h := start(t, srv, func(c *conn.Config) { c.Protocol = p; c.Cursor = store; c.StartFrom = tc.startFrom })
			h.waitPhase(t, conn.Connected)
			if _, _, sinces := srv.get(); sinces[0] != tc.want {
				t.Fatalf("first dial asked since=%q, want %q", sinces[0], tc.want)
			}
			select {
			case tok := <-p.asked:
				if !tc.asked {
					t.Fatal("HistoryNow was asked although there was a resume point")
				}
				if tok != srv.token {
					t.Fatal("HistoryNow got another token than the link's")
				}
			default:
				if tc.asked {
					t.Fatal("HistoryNow was not asked")
				}
			}
		})
	}
}
