package ntfy_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"tasktray/backend/internal/backendtest"
	"tasktray/backend/ntfy"
	"tasktray/conn"
)

// checkSettled checks that each of published was delivered exactly once,
// once nothing can repeat anymore: the client's current link has run its
// catch-up poll (the last thing a link fetches) and a marker published
// after that poll was delivered, on that same link. A repeat replayed by
// the link or found by its poll came before the marker. The markers count
// as published.
func checkSettled(t *testing.T, r *backendtest.Run, polls *linkPolls, kind, what string, published []string, marker func(round int) string) {
	t.Helper()
	published = slices.Clone(published)
	for round := 1; ; round++ {
		var link int
		waitUntil(t, waitLong, "a link whose catch-up poll ran", func() bool {
			n, polled := polls.newest()
			link = n
			return polled
		})
		m := marker(round)
		published = append(published, m)
		r.WaitFor(waitLong, m)
		if n, _ := polls.newest(); n == link {
			break
		}
		// The link broke meanwhile: the new one replays, and polls, again.
		if round == 10 {
			t.Fatalf("the link broke %d times while the test waited for it to settle", round)
		}
	}
	r.CheckExactlyOnce(kind, what, published, 0)
}

// pollWatch is the ntfy Protocol whose sessions say when their catch-up
// poll has returned: what it found is then on its way to the client, and a
// marker published after it comes after.
type pollWatch struct {
	*ntfy.Protocol
	polled chan struct{} // a token after each poll (dropped while one waits)
	links  *linkPolls
	// holdFirst: the first link never runs its catch-up poll (it waits
	// until the link ends); later links poll as usual.
	holdFirst bool
}

func newPollWatch(p *ntfy.Protocol) pollWatch {
	return pollWatch{Protocol: p, polled: make(chan struct{}, 1), links: &linkPolls{}}
}

func (w pollWatch) NewSession(token, resume string) conn.Session {
	s, n := w.Protocol.NewSession(token, resume), w.links.opened()
	if w.holdFirst && n == 1 {
		return heldPollSession{s}
	}
	return watchedSession{s, w.polled, w.links, n}
}

// heldPollSession is a session whose catch-up poll waits until the link
// ends, and asks the server nothing.
type heldPollSession struct{ conn.Session }

func (heldPollSession) Refresh(ctx context.Context, _ string) (conn.Decoded, error) {
	<-ctx.Done()
	return conn.Decoded{}, ctx.Err()
}

// linkPolls numbers the sessions (one a link) and knows whether the newest
// one's catch-up poll has returned without an error.
type linkPolls struct {
	mu           sync.Mutex
	sessions     int
	newestPolled bool
}

func (l *linkPolls) opened() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sessions++
	l.newestPolled = false
	return l.sessions
}

func (l *linkPolls) polled(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n == l.sessions {
		l.newestPolled = true
	}
}

// newest is the number of the newest session and whether its poll ran.
func (l *linkPolls) newest() (n int, polled bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sessions, l.newestPolled
}

type watchedSession struct {
	conn.Session
	polled chan struct{}
	links  *linkPolls
	n      int
}

func (s watchedSession) Refresh(ctx context.Context, token string) (conn.Decoded, error) {
	dec, err := s.Session.(conn.Refresher).Refresh(ctx, token)
	if err == nil {
		s.links.polled(s.n)
	}
	select {
	case s.polled <- struct{}{}:
	default:
	}
	return dec, err
}
