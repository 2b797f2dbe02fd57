//go:build realservers

package centrifugo_test

// Tests against a real Centrifugo v6.9.1 built by scripts/servers.sh:
//
//	source scripts/servers.sh && go test -race -tags realservers -v ./backend/centrifugo/
//
// Logins go to a token endpoint in the test that follows the contract in
// docs/servers.md and mints JWTs with the server's secret. The client
// reaches the server through a TCP proxy the test can cut or freeze;
// publishing goes straight to the server API. The server's namespace
// "tasks" keeps 100 publications of history in memory, with
// force_recovery: a restart starts a new epoch with an empty history.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
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
	proxy   *backendtest.Proxy
	account auth.Account
	session auth.Session
}

// setup starts Centrifugo, a token endpoint minting tokens valid for ttl,
// a proxy in front of the server, and logs alice in.
func setup(t *testing.T, ttl time.Duration) *fixture {
	t.Helper()
	if os.Getenv(servers.EnvCentrifugoBin) == "" {
		t.Skipf("%s is not set: `source scripts/servers.sh` builds Centrifugo and sets it", servers.EnvCentrifugoBin)
	}
	c := servers.StartCentrifugo(t, servers.BinFromEnv(t, servers.EnvCentrifugoBin))
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Username, Password string }
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&req) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if req.Username != alice || req.Password != alicePass {
			http.Error(w, `{"error":"wrong username or password"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"token": c.Token(req.Username, ttl)})
	}))
	t.Cleanup(tokens.Close)
	f := &fixture{c: c, proxy: backendtest.StartProxy(t, c.Addr, nil)}
	f.account = auth.Account{
		Kind: "centrifugo", Server: "http://" + f.proxy.Addr(), Username: alice,
		Options: map[string]string{centrifugo.OptionTokenURL: tokens.URL + "/token"},
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
	p, err := centrifugo.New(f.account)
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
	res, err := f.c.Publish(channel, map[string]any{"title": title, "body": "body of " + title, "priority": 4})
	if err != nil {
		t.Fatal(err)
	}
	return res.Epoch + ":" + strconv.FormatUint(res.Offset, 10)
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
	time.Sleep(300 * time.Millisecond)
	if !r.At(old).IsZero() {
		t.Errorf("publication %s from before the first subscribe was delivered", old)
	}
}

// Ten cuts of the client's TCP connection while tasks are published: each
// arrives exactly once (live, or recovered from the channel's history).
// Publishing every 20 ms keeps each gap (at most the 1 s backoff cap) well
// within the namespace's history of 100; a gap longer than the history is
// lost on the server's side, whatever the client does (docs/servers.md).
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
	r.CheckExactlyOnce("centrifugo", "10 forced disconnects (TCP cut by a proxy)", published, time.Second)
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
	r.WaitFor(waitLong, after...)
	t.Logf("centrifugo, server restart: first task %v after the server was back (production backoff; new epoch %s)",
		r.At(after[0]).Sub(back).Round(time.Millisecond), strings.Split(after[0], ":")[0])
	r.CheckExactlyOnce("centrifugo", "server restart (new epoch)", append([]string{before}, after...), 500*time.Millisecond)
	if got := r.Delivered(); strings.Join(got, " ") != strings.Join(append([]string{before}, after...), " ") {
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
	r2.CheckExactlyOnce("centrifugo", "app restart", offline, 500*time.Millisecond)
	if got := r2.Delivered(); strings.Join(got, ",") != strings.Join(offline, ",") {
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

	gen := r.State().Generation
	f.proxy.Freeze()
	frozen := time.Now()
	during := []string{f.publish(t, "lost in the stream 1"), f.publish(t, "lost in the stream 2")}
	r.WaitReconnected(centrifugo.DefaultPongWait+waitLong, gen)
	noticed := time.Since(frozen)
	r.WaitFor(waitLong, during...)
	t.Logf("centrifugo, dropped link: noticed after %v (PongWait %v)", noticed.Round(time.Millisecond), centrifugo.DefaultPongWait)
	if noticed > centrifugo.DefaultPongWait+2*time.Second {
		t.Errorf("dead link noticed after %v, want at most about PongWait", noticed)
	}
	r.CheckExactlyOnce("centrifugo", "dropped link", append([]string{first}, during...), 500*time.Millisecond)
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

// A token that expires while connected: the server closes with 3005 about
// 25 s after its exp, which asks for a new login (tasktray cannot refresh).
func TestRealTokenExpires(t *testing.T) {
	t.Parallel()
	f := setup(t, 3*time.Second)
	r := f.startSubscribed(t, f.session.Token, backendtest.CursorFile(t), backendtest.FastBackoff)
	s := r.WaitState(time.Minute, "auth-required", func(s conn.State) bool { return s.Phase == conn.AuthRequired })
	if !strings.Contains(s.Reason, "3005") {
		t.Errorf("reason %q, want close 3005", s.Reason)
	}
	t.Logf("centrifugo, token expiry: %v", s)
}
