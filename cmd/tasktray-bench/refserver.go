package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"tasktray/auth"
	"tasktray/backend"
	"tasktray/server"
)

// refServer is the reference server, in the bench's process on a loopback
// port: the one publisher of every task both pipelines receive.
type refServer struct {
	*server.Server
	http  *http.Server
	url   string // normalized as a login stores it
	links *linkWatch
}

// startServer starts the reference server. history must cover the largest
// burst: a client that falls 256 frames behind is dropped and resumes from
// the history, so a shorter one would lose tasks a slow client then asks for.
func startServer(history int) (*refServer, error) {
	links := newLinkWatch()
	srv, err := server.New(server.Config{HistorySize: history, Logger: slog.New(links)})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	u, err := auth.ValidateServerURL("http://"+ln.Addr().String(), false)
	if err != nil {
		ln.Close()
		return nil, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	return &refServer{Server: srv, http: hs, url: u.String(), links: links}, nil
}

// close ends the HTTP server, then the WebSockets (see server.Server.Close).
func (s *refServer) close() {
	s.http.Close()
	s.Server.Close()
}

// login adds user with a random password and logs in as a client does,
// through the native kind's Authenticator.
func (s *refServer) login(ctx context.Context, user string) (auth.Session, error) {
	password := rand.Text()
	if err := s.AddUser(user, password); err != nil {
		return auth.Session{}, err
	}
	acc := auth.Account{Kind: "native", Server: s.url, Username: user}
	kind, err := backend.Lookup(acc.Kind)
	if err != nil {
		return auth.Session{}, err
	}
	authn, err := kind.Authenticator(acc)
	if err != nil {
		return auth.Session{}, err
	}
	return authn.Login(ctx, auth.Credentials{Account: acc, Password: password})
}

// linkWatch is the server's slog.Handler. The server logs "websocket open"
// right after a socket joins its user's live delivery, the moment from
// which a publish reaches it; linkWatch stamps those lines, and keeps why
// links closed. It drops every other line.
type linkWatch struct {
	mu      sync.Mutex
	opens   map[string][]time.Time // by user
	closes  map[string][]string    // reasons, by user
	changed chan struct{}          // closed and replaced on every open
}

// newLinkWatch returns a linkWatch that has seen nothing yet.
func newLinkWatch() *linkWatch {
	return &linkWatch{opens: map[string][]time.Time{}, closes: map[string][]string{}, changed: make(chan struct{})}
}

// Enabled, WithAttrs and WithGroup make linkWatch a slog.Handler that sees
// every line, attributes and groups aside: the lines it looks for carry
// their own.
func (w *linkWatch) Enabled(context.Context, slog.Level) bool { return true }
func (w *linkWatch) WithAttrs([]slog.Attr) slog.Handler       { return w }
func (w *linkWatch) WithGroup(string) slog.Handler            { return w }

// Handle notes the opening and closing of WebSockets.
func (w *linkWatch) Handle(_ context.Context, r slog.Record) error {
	at := time.Now()
	if r.Message != "websocket open" && r.Message != "websocket closed" {
		return nil
	}
	var user, reason string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "user":
			user = a.Value.String()
		case "reason":
			reason = a.Value.String()
		}
		return true
	})
	w.mu.Lock()
	defer w.mu.Unlock()
	if r.Message == "websocket closed" {
		w.closes[user] = append(w.closes[user], reason)
		return nil
	}
	w.opens[user] = append(w.opens[user], at)
	close(w.changed)
	w.changed = make(chan struct{})
	return nil
}

// opened returns how many WebSockets user opened so far.
func (w *linkWatch) opened(user string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.opens[user])
}

// closeReasons returns why user's WebSockets closed, oldest first, from
// the n-th close on.
func (w *linkWatch) closeReasons(user string, n int) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.closes[user][min(n, len(w.closes[user])):]...)
}

// closed returns how many of user's WebSockets closed so far.
func (w *linkWatch) closed(user string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.closes[user])
}

// waitOpen waits for user's WebSocket number n+1 (counting from 0) and
// returns when the server opened it. It gives up when p exits or after
// timeout.
func (w *linkWatch) waitOpen(ctx context.Context, user string, n int, p *process, timeout time.Duration) (time.Time, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		w.mu.Lock()
		opens, changed := w.opens[user], w.changed
		w.mu.Unlock()
		if len(opens) > n {
			return opens[n], nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-p.exited:
			return time.Time{}, p.crashed()
		case <-t.C:
			return time.Time{}, fmt.Errorf("%s did not connect as %q within %v%s", p.name, user, timeout, p.logTail())
		}
	}
}
