package tray

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"tasktray/auth"
	"tasktray/conn"
)

// bareAgent is an agent whose loop does not run: a test calls its handlers
// and then makes the calls its peers have queued.
func bareAgent(t *testing.T, popups Popups, tokens *auth.TokenStore) *Agent {
	t.Helper()
	a, err := NewAgent(Config{
		Menu: newFakeMenu(), Popups: popups, Tokens: tokens,
		Windows: func(context.Context, string) (WindowProcess, error) { return nil, errors.New("no windows here") },
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// runQueued makes every call p has queued, as its goroutine would.
func runQueued(p *peer) (answers []any) {
	for call := p.next(); call != nil; call = p.next() {
		answers = append(answers, call(context.Background()))
	}
	return answers
}

// TestGapIsToldToTheUser: a gap the server could not fill becomes an
// important popup ("Some tasks before 14:02 could not be fetched") and a
// line in the status.
func TestGapIsToldToTheUser(t *testing.T) {
	popups := &fakePopups{}
	a := bareAgent(t, popups, auth.NewTokenStore(newLockableKeyring()))
	a.loggedIn, a.account = true, auth.Account{Kind: "native", Server: "https://tasks.example.com", Username: "alice"}
	before := time.Date(2026, 12, 2, 14, 2, 0, 0, time.Local)
	a.onGap(conn.Gap{Before: before, Reason: "the server keeps 1,000 tasks"})
	runQueued(a.popups)
	got := popups.all()
	want := "Some tasks before 14:02 could not be fetched"
	if len(got) != 1 || got[0].Body != want || !got[0].Important {
		t.Fatalf("popups %+v, want one important %q", got, want)
	}
	if s := a.status(); !strings.Contains(s, want) {
		t.Fatalf("status %q does not say %q", s, want)
	}
}

// TestRenewedTokenIsStored: a token the server renewed replaces the old one
// in the keyring, so the next start uses it.
func TestRenewedTokenIsStored(t *testing.T) {
	k := newLockableKeyring()
	a := bareAgent(t, &fakePopups{}, auth.NewTokenStore(k))
	acc := auth.Account{Kind: "native", Server: "https://tasks.example.com", Username: "alice"}
	a.loggedIn, a.account, a.session = true, acc, auth.Session{Account: acc, Token: "old-token"}
	a.onRenewal(conn.Renewal{Token: "new-token", ExpiresAt: time.Now().Add(time.Hour)})
	for _, ev := range runQueued(a.keyring) {
		a.onEvent(context.Background(), ev)
	}
	if got := k.secret(acc.KeyringUser()); got != "new-token" {
		t.Fatalf("keyring holds %q, want the renewed token", got)
	}
	if a.session.Token != "new-token" {
		t.Fatal("the agent still uses the old token for log-out")
	}
}
