//go:build realservers

package centrifugo_test

// Tests against a real Centrifugo v6.9.1 built by scripts/servers.sh:
//
//	source scripts/servers.sh && go test -race -tags realservers -v ./backend/centrifugo/
//
// Logins and token refreshes go to servers.CentrifugoTokens, a token
// endpoint that follows the contract in docs/servers.md and mints JWTs with
// the server's secret. The client reaches the server through a TCP proxy
// the test can cut or freeze; publishing goes straight to the server API.
// The server's namespace "tasks" keeps servers.CentrifugoHistorySize
// publications of history in memory ("short": CentrifugoShortHistorySize),
// with force_recovery: a restart starts a new epoch with an empty history.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"tasktray/auth"
	"tasktray/backend/centrifugo"
	"tasktray/backend/internal/backendtest"
	"tasktray/conn"
	"tasktray/internal/servers"
)

const (
	alice     = "alice"
	alicePass = "alice-correct-horse"
	channel   = "tasks:alice"
	waitLong  = 30 * time.Second
)

type fixture struct {
	c       *servers.Centrifugo
	tokens  *servers.CentrifugoTokens
	proxy   *backendtest.Proxy
	account auth.Account
	session auth.Session
}

// setup starts Centrifugo, a token endpoint minting tokens valid for ttl,
// a proxy in front of the server, and logs alice in.
func setup(t *testing.T, ttl time.Duration) *fixture {
	t.Helper()
	c := servers.StartCentrifugo(t, servers.Bin(t, servers.EnvCentrifugoBin))
	f := &fixture{c: c, tokens: c.StartTokenEndpoint(t, map[string]string{alice: alicePass}, ttl), proxy: backendtest.StartProxy(t, c.Addr, nil)}
	f.account = auth.Account{
		Kind: "centrifugo", Server: "http://" + f.proxy.Addr(), Username: alice,
		Options: map[string]string{centrifugo.OptionTokenURL: f.tokens.URL},
	}
	var err error
	f.session, err = centrifugo.Authenticator{}.Login(context.Background(), auth.Credentials{Account: f.account, Password: alicePass})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) start(t *testing.T, token string, cursor conn.CursorStore, backoff conn.Backoff) *backendtest.Run {
	t.Helper()
	return f.startOn(t, f.account, token, cursor, backoff)
}

// startOn is start with another account (another channel, or no token URL).
func (f *fixture) startOn(t *testing.T, acc auth.Account, token string, cursor conn.CursorStore, backoff conn.Backoff) *backendtest.Run {
	t.Helper()
	p, err := centrifugo.New(acc)
	if err != nil {
		t.Fatal(err)
	}
	return backendtest.StartRun(t, conn.Config{Protocol: p, Token: token, Cursor: cursor, Backoff: backoff, StableAfter: 200 * time.Millisecond})
}

// startSubscribed is start, and returns once the client has subscribed.
func (f *fixture) startSubscribed(t *testing.T, token string, cursor conn.FileCursor, backoff conn.Backoff) *backendtest.Run {
	t.Helper()
	r := f.start(t, token, cursor, backoff)
	waitSubscribed(t, cursor)
	return r
}

// publish sends a task to alice's channel and returns its ID.
func (f *fixture) publish(t *testing.T, title string) string {
	t.Helper()
	return f.publishTo(t, channel, title)
}

// publishTo sends a task to ch and returns its ID.
func (f *fixture) publishTo(t *testing.T, ch, title string) string {
	t.Helper()
	res, err := f.c.Publish(ch, map[string]any{"title": title, "body": "body of " + title, "priority": 4})
	if err != nil {
		t.Fatal(err)
	}
	return res.Epoch + ":" + strconv.FormatUint(res.Offset, 10)
}

// checkExactlyOnce publishes a marker to ch after everything else, waits
// for it, and then checks that each of published (and the marker) was
// delivered exactly once: a late repeat would have come before the marker.
func (f *fixture) checkExactlyOnce(t *testing.T, r *backendtest.Run, ch, what string, published []string) {
	t.Helper()
	marker := f.publishTo(t, ch, "marker after "+what)
	r.WaitFor(waitLong, marker)
	r.CheckExactlyOnce("centrifugo", what, append(slices.Clone(published), marker), 0)
}

// waitSubscribed waits until the client's cursor holds a position: the
// subscribe reply came, so the server sends whatever is published next.
func waitSubscribed(t *testing.T, cursor conn.FileCursor) string {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for {
		c, err := cursor.Load()
		if err == nil && c.Resume != "" {
			return c.Resume
		}
		if time.Now().After(deadline) {
			t.Fatalf("not subscribed after %v (cursor %+v, %v)", waitLong, c, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRealLogin(t *testing.T) {
	f := setup(t, time.Hour)
	if f.session.ExpiresAt.Before(time.Now().Add(59*time.Minute)) || f.session.ExpiresAt.After(time.Now().Add(time.Hour)) {
		t.Errorf("session expires %v, want in an hour", f.session.ExpiresAt)
	}
	_, err := centrifugo.Authenticator{}.Login(context.Background(), auth.Credentials{Account: f.account, Password: "wrong"})
	if !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("wrong password: %v, want ErrBadCredentials", err)
	}
	// A pasted token (no token URL) works as well.
	pasted := f.account
	pasted.Options = nil
	s, err := centrifugo.Authenticator{}.Login(context.Background(), auth.Credentials{Account: pasted, Password: f.c.Token(alice, time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	r := f.startSubscribed(t, s.Token, backendtest.CursorFile(t), backendtest.FastBackoff)
	id := f.publish(t, "with a pasted token")
	r.WaitFor(waitLong, id)
}

// The first subscribe fetches nothing old; then tasks arrive live.
func TestRealFirstSubscribeThenLive(t *testing.T) {
	f := setup(t, time.Hour)
	old := f.publish(t, "before tasktray")
	cursor := backendtest.CursorFile(t)
	r := f.start(t, f.session.Token, cursor, backendtest.FastBackoff)
	if pos := waitSubscribed(t, cursor); pos != old {
		t.Errorf("subscribed at %s, want the stream's top %s", pos, old)
	}
	live := f.publish(t, "Task done")
	r.WaitFor(waitLong, live)
	if got := r.Task(live); got.Title != "Task done" || got.Body != "body of Task done" || got.Priority != 4 || got.Resume != live {
		t.Errorf("task %+v", got)
	}
	f.checkExactlyOnce(t, r, channel, "first subscribe", []string{live})
	if !r.At(old).IsZero() {
		t.Errorf("publication %s from before the first subscribe was delivered", old)
	}
}

// Ten cuts of the client's TCP connection while tasks are published: each
// arrives exactly once (live, or recovered from the channel's history).
// Publishing every 20 ms keeps each gap (at most the 1 s backoff cap) well
// within the namespace's history; a gap longer than the history is lost on
// the server's side, whatever the client does (docs/servers.md).
func TestRealForcedDisconnects(t *testing.T) {
	f := setup(t, time.Hour)
	r := f.startSubscribed(t, f.session.Token, backendtest.CursorFile(t), backendtest.FastBackoff)
	first := f.publish(t, "first")
	r.WaitFor(waitLong, first)
	published := append([]string{first}, backendtest.PublishDuring(t, 20*time.Millisecond, func(i int) (string, error) {
		res, err := f.c.Publish(channel, map[string]any{"title": "task " + strconv.Itoa(i)})
		return res.Epoch + ":" + strconv.FormatUint(res.Offset, 10), err
	}, func() {
		r.CutAndReconnect(10, waitLong, func() { f.proxy.Cut() })
	})...)
	r.WaitFor(waitLong, published...)
	f.checkExactlyOnce(t, r, channel, "10 forced disconnects (TCP cut by a proxy)", published)
}

// The server stops and comes back with a new epoch and an empty history:
// recovery fails, and the history of the new epoch fills the gap.
func TestRealServerRestart(t *testing.T) {
	f := setup(t, time.Hour)
	r := f.startSubscribed(t, f.session.Token, backendtest.CursorFile(t), conn.DefaultBackoff)
	before := f.publish(t, "before the restart")
	r.WaitFor(waitLong, before)

	back := r.Outage(waitLong, f.c.Stop, f.c.Restart)
	after := []string{f.publish(t, "after the restart 1"), f.publish(t, "after the restart 2")}
	// The production backoff may have planned its next dial up to its
	// Max after the server came back.
	r.WaitFor(conn.DefaultBackoff.Max+waitLong, after...)
	t.Logf("centrifugo, server restart: first task %v after the server was back (production backoff; new epoch %s)",
		r.At(after[0]).Sub(back).Round(time.Millisecond), strings.Split(after[0], ":")[0])
	f.checkExactlyOnce(t, r, channel, "server restart (new epoch)", append([]string{before}, after...))
	if got := r.Delivered(); strings.Join(got[:3], " ") != strings.Join(append([]string{before}, after...), " ") {
		t.Errorf("delivered %v out of order", got)
	}
}

// After an app restart the persisted epoch:offset recovers exactly what was
// published while the app was off.
func TestRealAppRestart(t *testing.T) {
	f := setup(t, time.Hour)
	cursor := backendtest.CursorFile(t)
	r := f.startSubscribed(t, f.session.Token, cursor, backendtest.FastBackoff)
	first := f.publish(t, "first")
	r.WaitFor(waitLong, first)
	r.Stop()

	var offline []string
	for i := range 5 {
		offline = append(offline, f.publish(t, "while off "+strconv.Itoa(i)))
	}
	r2 := f.start(t, f.session.Token, cursor, backendtest.FastBackoff)
	r2.WaitFor(waitLong, offline...)
	f.checkExactlyOnce(t, r2, channel, "app restart", offline)
	if got := r2.Delivered(); strings.Join(got[:len(offline)], ",") != strings.Join(offline, ",") {
		t.Errorf("delivered %v, want %v in order", got, offline)
	}
}

// A link that goes silent without closing is declared dead within PongWait
// (35 s: the server pings every 25 s); the stream is recovered.
func TestRealDroppedLink(t *testing.T) {
	t.Parallel()
	f := setup(t, time.Hour)
	r := f.startSubscribed(t, f.session.Token, backendtest.CursorFile(t), backendtest.FastBackoff)
	first := f.publish(t, "first")
	r.WaitFor(waitLong, first)

	gen := r.WaitState(waitLong, "connected", func(s conn.State) bool { return s.Phase == conn.Connected }).Generation
	f.proxy.Freeze()
	frozen := time.Now()
	during := []string{f.publish(t, "lost in the stream 1"), f.publish(t, "lost in the stream 2")}
	r.WaitReconnected(centrifugo.DefaultPongWait+waitLong, gen)
	noticed := time.Since(frozen)
	r.WaitFor(waitLong, during...)
	t.Logf("centrifugo, dropped link: noticed after %v (PongWait %v)", noticed.Round(time.Millisecond), centrifugo.DefaultPongWait)
	// A failure guard, not a timing claim (a loaded CI machine adds
	// seconds): the read deadline ended the link, not something later.
	if noticed > centrifugo.DefaultPongWait*3/2 {
		t.Errorf("dead link noticed after %v, want at most about PongWait", noticed)
	}
	f.checkExactlyOnce(t, r, channel, "dropped link", append([]string{first}, during...))
}

// Tokens the server refuses stop the client until a new login: expired
// (connect error 109), badly signed (close 3500), or a channel alice may
// not subscribe to (subscribe error 103).
func TestRealRefused(t *testing.T) {
	f := setup(t, time.Hour)
	good := f.session.Token
	for _, c := range []struct {
		name, token, channel, reason string
	}{
		{"expired", f.c.Token(alice, -time.Minute), "", "token expired"},
		{"bad signature", good[:len(good)-4] + "AAAA", "", "3500"},
		{"forbidden channel", good, "secrets:alice", `channel "secrets:alice"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			acc := f.account
			if c.channel != "" {
				acc.Options = map[string]string{centrifugo.OptionChannel: c.channel}
			}
			p, err := centrifugo.New(acc)
			if err != nil {
				t.Fatal(err)
			}
			r := backendtest.StartRun(t, conn.Config{Protocol: p, Token: c.token, Backoff: backendtest.FastBackoff})
			s := r.WaitState(waitLong, "auth-required", func(s conn.State) bool { return s.Phase == conn.AuthRequired })
			if !strings.Contains(s.Reason, c.reason) || strings.Contains(s.Reason, c.token) {
				t.Errorf("reason %q, want it to mention %q and not the token", s.Reason, c.reason)
			}
		})
	}
}

// A gap longer than a history page and than what recovery returns (300):
// the app is off while 450 tasks are published. Every one comes, in order,
// from the history, page by page (defect 13: only the newest 100 came).
func TestRealLongOutage(t *testing.T) {
	f := setup(t, time.Hour)
	cursor := backendtest.CursorFile(t)
	r := f.startSubscribed(t, f.session.Token, cursor, backendtest.FastBackoff)
	first := f.publish(t, "first")
	r.WaitFor(waitLong, first)
	r.Stop()
	offline := make([]string, 450)
	for i := range offline {
		offline[i] = f.publish(t, "while off "+strconv.Itoa(i))
	}
	r2 := f.start(t, f.session.Token, cursor, backendtest.FastBackoff)
	r2.WaitFor(waitLong, offline...)
	f.checkExactlyOnce(t, r2, channel, "450 published while the app was off", offline)
	if got := r2.Delivered(); !slices.Equal(got[:len(offline)], offline) {
		t.Errorf("not delivered in order")
	}
}

// A gap longer than the channel's whole history: what the history still
// holds is delivered, in order, and nothing else; the rest is gone on the
// server's side (the client reports a Gap: see TestGapFillHistoryLost).
func TestRealGapLongerThanHistory(t *testing.T) {
	f := setup(t, time.Hour)
	short := servers.CentrifugoShortNamespace + ":alice"
	acc := f.account
	acc.Options = map[string]string{centrifugo.OptionTokenURL: f.tokens.URL, centrifugo.OptionChannel: short}
	cursor := backendtest.CursorFile(t)
	r := f.startOn(t, acc, f.session.Token, cursor, backendtest.FastBackoff)
	waitSubscribed(t, cursor)
	first := f.publishTo(t, short, "first")
	r.WaitFor(waitLong, first)
	r.Stop()
	offline := make([]string, 25)
	for i := range offline {
		offline[i] = f.publishTo(t, short, "while off "+strconv.Itoa(i))
	}
	kept := offline[len(offline)-servers.CentrifugoShortHistorySize:]
	r2 := f.startOn(t, acc, f.session.Token, cursor, backendtest.FastBackoff)
	r2.WaitFor(waitLong, kept...)
	f.checkExactlyOnce(t, r2, short, "25 published while the app was off, history of 10", kept)
}

// A token that lives 5 s stays good across several expiries: the client
// renews it at the token endpoint before each exp and hands it over with a
// refresh command, on the same link (defect 14). The server closes a link
// whose token expired unrefreshed after CentrifugoExpiredCloseDelay (1 s).
func TestRealTokenRefresh(t *testing.T) {
	t.Parallel()
	const ttl = 5 * time.Second
	f := setup(t, ttl)
	r := f.startSubscribed(t, f.session.Token, backendtest.CursorFile(t), backendtest.FastBackoff)
	// The cursor moved after the link was up, but the Connected state may
	// not have reached the run yet: wait for it rather than read it.
	gen := r.WaitState(waitLong, "connected", func(s conn.State) bool { return s.Phase == conn.Connected }).Generation
	deadline := time.Now().Add(4*ttl + waitLong)
	for {
		if _, refreshes := f.tokens.Counts(); refreshes >= 4 {
			break
		}
		if s := r.State(); s.Phase != conn.Connected || s.Generation != gen {
			t.Fatalf("the link did not survive its token: %v", s)
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than 4 refreshes by %v", deadline)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The last renewed token expires 5 s after the last refresh; a link
	// the server closed for it would not get this task.
	live := f.publish(t, "after 4 refreshes")
	r.WaitFor(waitLong, live)
	f.checkExactlyOnce(t, r, channel, "token refreshed 4 times", []string{live})
	if s := r.State(); s.Phase != conn.Connected || s.Generation != gen {
		t.Errorf("reconnected meanwhile: %v", s)
	}
	logins, refreshes := f.tokens.Counts()
	t.Logf("centrifugo, token refresh: %d login, %d refreshes of a %v token, 1 link", logins, refreshes, ttl)
}

// The site stops renewing the token (the account was removed): the refresh
// is refused, and the client asks for a new login.
func TestRealRefreshRefused(t *testing.T) {
	t.Parallel()
	f := setup(t, 5*time.Second)
	r := f.startSubscribed(t, f.session.Token, backendtest.CursorFile(t), backendtest.FastBackoff)
	f.tokens.Revoke(alice)
	s := r.WaitState(waitLong, "auth-required", func(s conn.State) bool { return s.Phase == conn.AuthRequired })
	if !strings.Contains(s.Reason, "token endpoint") || strings.Contains(s.Reason, f.session.Token) {
		t.Errorf("reason %q, want the token endpoint's refusal, without the token", s.Reason)
	}
}

// A pasted token (no token URL to renew it at) that expires while
// connected: the server closes with 3005 CentrifugoExpiredCloseDelay after
// its exp, which asks for a new login.
func TestRealTokenExpires(t *testing.T) {
	t.Parallel()
	f := setup(t, time.Hour)
	pasted := f.account
	pasted.Options = nil
	cursor := backendtest.CursorFile(t)
	// 6 s: the link must be up before the exp on a loaded machine, or the
	// connect is what is refused (109), not the open link (3005).
	r := f.startOn(t, pasted, f.c.Token(alice, 6*time.Second), cursor, backendtest.FastBackoff)
	waitSubscribed(t, cursor)
	s := r.WaitState(time.Minute, "auth-required", func(s conn.State) bool { return s.Phase == conn.AuthRequired })
	if !strings.Contains(s.Reason, "3005") {
		t.Errorf("reason %q, want close 3005", s.Reason)
	}
	t.Logf("centrifugo, token expiry: %v", s)
}

// A task published right after the login, before the client has started
// (so before its first subscribe), is delivered: Login read where the
// stream stood, and the agent passes that as StartFrom. Also with a pasted
// token.
func TestRealPublishRightAfterLogin(t *testing.T) {
	f := setup(t, time.Hour)
	if f.session.Resume == "" {
		t.Errorf("login gave no resume point")
	}
	pasted := f.account
	pasted.Options = nil
	ps, err := centrifugo.Authenticator{}.Login(context.Background(), auth.Credentials{Account: pasted, Password: f.c.Token(alice, time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if ps.Resume != f.session.Resume {
		t.Errorf("pasted token: resume %q, want %q", ps.Resume, f.session.Resume)
	}
	early := f.publish(t, "right after login")
	p, err := centrifugo.New(f.account)
	if err != nil {
		t.Fatal(err)
	}
	r := backendtest.StartRun(t, conn.Config{Protocol: p, Token: f.session.Token, Cursor: backendtest.CursorFile(t),
		StartFrom: f.session.Resume, Backoff: backendtest.FastBackoff, StableAfter: 200 * time.Millisecond})
	r.WaitFor(waitLong, early)
	f.checkExactlyOnce(t, r, channel, "publish right after login", []string{early})
}

// An app restart whose cursor file was damaged (and without the login's
// resume point, which is not kept) loses nothing published the moment its
// link is up: conn asks where the stream stands before the first dial
// (conn.HistoryLocator, the login's short look at the stream), so the
// first subscribe recovers from there. Without it, the subscribe took the
// stream from wherever it stood when it arrived, and a task published
// between the link's open and the subscribe was lost (chaos
// centrifugo/corrupt cursor: 1 lost, the marker, and the run froze).
func TestRealDamagedCursorLosesNothing(t *testing.T) {
	f := setup(t, time.Hour)
	cursor := backendtest.CursorFile(t)
	r := f.startSubscribed(t, f.session.Token, cursor, backendtest.FastBackoff)
	var published []string
	for round := range 10 {
		r.Stop()
		if err := os.WriteFile(cursor.Path, []byte("{\"resume\":\"12@E\",\"seen\":[\x00garbage"), 0o600); err != nil {
			t.Fatal(err)
		}
		r = f.start(t, f.session.Token, cursor, backendtest.FastBackoff)
		r.WaitState(waitLong, "connected", func(s conn.State) bool { return s.Phase == conn.Connected })
		id := f.publish(t, fmt.Sprintf("round %d, the moment the link is up", round))
		published = append(published, id)
		r.WaitFor(waitLong, id)
	}
	f.checkExactlyOnce(t, r, channel, "damaged cursor", published[len(published)-1:])
}
