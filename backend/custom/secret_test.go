package custom

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"tasktray/auth"
	"tasktray/backend/internal/backendtest"
	"tasktray/conn"
	"tasktray/internal/legacyserver"
)

// syncBuffer is a log sink a test can read while the client writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// loggedRun runs a client whose debug log goes to a buffer, draining its
// tasks, until the test ends.
func loggedRun(t *testing.T, p *Protocol, token string, dialer conn.Dialer) (*syncBuffer, func() conn.State, func() int) {
	t.Helper()
	logs := &syncBuffer{}
	c, err := conn.New(conn.Config{Protocol: p, Token: token, Dialer: dialer, Backoff: backendtest.FastBackoff,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var mu sync.Mutex
	var state conn.State
	var tasks int
	wg.Add(2)
	go func() { defer wg.Done(); c.Run(ctx) }()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-c.Tasks():
				mu.Lock()
				tasks++
				mu.Unlock()
			case s := <-c.States():
				mu.Lock()
				state = s
				mu.Unlock()
			case <-ctx.Done():
				return
			}
		}
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return logs, func() conn.State { mu.Lock(); defer mu.Unlock(); return state },
		func() int { mu.Lock(); defer mu.Unlock(); return tasks }
}

func waitLog(t *testing.T, logs *syncBuffer, what string) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for !strings.Contains(logs.String(), what) {
		if time.Now().After(deadline) {
			t.Fatalf("the log never said %q:\n%s", what, logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// noSecret fails if text holds the token in any form.
func noSecret(t *testing.T, what, text, token string) {
	t.Helper()
	for _, f := range secretForms(token) {
		if len(f) >= 6 && strings.Contains(text, f) {
			t.Errorf("%s reveals the token (%q):\n%s", what, f, text)
		}
	}
}

// A token in the URL never reaches the log: through reconnects, a refused
// token, a server that is gone, and a missed-tasks address that fails with
// the token in its path.
func TestTokenInURLNeverLogged(t *testing.T) {
	for _, mode := range []legacyserver.Mode{legacyserver.Query, legacyserver.Path} {
		t.Run(string(mode), func(t *testing.T) {
			b := startBackend(t, legacyserver.Config{Mode: mode})
			p := b.protocol(t, modeProfiles[mode])
			s := login(t, p)
			if !strings.ContainsAny(s.Token, "+/=") {
				t.Fatalf("token %d chars needs no escaping: the test would miss the escaped forms", len(s.Token))
			}
			logs, state, _ := loggedRun(t, p, s.Token, p.WrapDialer(mustDialer(t)))
			waitLog(t, logs, `msg=connected`)
			b.waitSocket(t, 1) // registered after the 101: a Kick before it cuts nothing
			b.Kick()
			waitLog(t, logs, `msg="link down"`)
			waitLog(t, logs, `generation=2`)
			b.waitSocket(t, 2)
			b.RevokeAll() // the next handshake is refused with 401
			b.Kick()
			waitLog(t, logs, "server refused the token")
			// The log line comes just before the state is published: wait for it.
			deadline := time.Now().Add(waitLong)
			for state().Phase != conn.AuthRequired && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if st := state(); st.Phase != conn.AuthRequired {
				t.Errorf("state %v after a refused token", st)
			}
			noSecret(t, "the log", logs.String(), s.Token)
		})
	}
	t.Run("server gone", func(t *testing.T) {
		b := startBackend(t, legacyserver.Config{Mode: legacyserver.Query})
		p := b.protocol(t, modeProfiles[legacyserver.Query])
		s := login(t, p)
		b.http.Close()
		logs, _, _ := loggedRun(t, p, s.Token, p.WrapDialer(mustDialer(t)))
		waitLog(t, logs, "connection refused")
		noSecret(t, "the log", logs.String(), s.Token)
	})
	t.Run("missed address fails", func(t *testing.T) {
		b := startBackend(t, legacyserver.Config{Mode: legacyserver.Query, MissedStatus: http.StatusServiceUnavailable})
		p := b.protocol(t, modeProfiles[legacyserver.Query]+nested+`
[resume]
missed_url = "http://{addr}/api/messages/missed/{token}?since={since}"
`)
		s := login(t, p)
		logs, _, delivered := loggedRun(t, p, s.Token, p.WrapDialer(mustDialer(t)))
		waitLog(t, logs, `msg=connected`)
		b.PushTask("one", "") // gives a resume point; the next link backfills
		deadline := time.Now().Add(waitLong)
		for delivered() == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the task never came")
			}
			time.Sleep(10 * time.Millisecond)
		}
		b.Kick()
		waitLog(t, logs, "fetching missed tasks")
		waitLog(t, logs, redacted)
		noSecret(t, "the log", logs.String(), s.Token)
	})
}

func mustDialer(t *testing.T) conn.Dialer {
	d, err := conn.NewDialer("")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// leakyDialer fails the way url.Parse does: quoting the whole URL.
type leakyDialer struct{}

func (leakyDialer) DialContext(_ context.Context, rawURL string, h http.Header) (*websocket.Conn, *http.Response, error) {
	return nil, nil, fmt.Errorf("websocket: %w", &url.Error{Op: "parse", URL: rawURL, Err: errors.New("invalid port")})
}

// WrapDialer scrubs the URL, the token and the secret headers from any
// dial error, in every token mode, and keeps the error chain.
func TestWrapDialerScrubs(t *testing.T) {
	const token = "s3cr+t/tok=="
	for mode, profile := range modeProfiles {
		p := mustProtocol(t, strings.ReplaceAll(profile, "{addr}", "127.0.0.1:1"))
		rawURL, h, err := p.Handshake(token, "")
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = p.WrapDialer(leakyDialer{}).DialContext(context.Background(), rawURL, h)
		var ue *url.Error
		if !errors.As(err, &ue) {
			t.Errorf("%s: the chain is lost: %v", mode, err)
		}
		noSecret(t, string(mode)+" dial error", err.Error(), token)
		if mode == legacyserver.Query || mode == legacyserver.Path {
			if !strings.Contains(err.Error(), redacted) {
				t.Errorf("%s: %v", mode, err)
			}
			noSecret(t, "RedactURL", p.RedactURL(rawURL), token)
		}
	}
}

// Where the token goes in each mode, escaped for its place.
func TestHandshake(t *testing.T) {
	const token = "a+b/c=d"
	for mode, want := range map[legacyserver.Mode]struct{ url, header, value string }{
		legacyserver.Query:       {"ws://h:1/websocket?lang=zh-CN&token=a%2Bb%2Fc%3Dd&since=7", "Origin", "http://h:1"},
		legacyserver.Path:        {"ws://h:1/websocket/a+b%2Fc=d", "", ""},
		legacyserver.Cookie:      {"ws://h:1/ws", "Cookie", token},
		legacyserver.Subprotocol: {"ws://h:1/ws", "Sec-WebSocket-Protocol", token},
	} {
		profile := strings.ReplaceAll(modeProfiles[mode], "{addr}", "h:1")
		if mode == legacyserver.Query {
			profile += "[mapping]\nid = \"id\"\n[resume]\nsince_param = \"since\"\n"
		}
		p := mustProtocol(t, "allow_insecure = true\n"+profile)
		u, h, err := p.Handshake(token, "i:7")
		if err != nil || u != want.url || (want.header != "" && h.Get(want.header) != want.value) {
			t.Errorf("%s: %s %v, %v", mode, u, h, err)
		}
	}
	// A window resume point never goes to the server.
	p := mustProtocol(t, strings.ReplaceAll(modeProfiles[legacyserver.Query], "{addr}", "127.0.0.1:1"))
	if u, _, _ := p.Handshake("t", "w:0123456789ab"); strings.Contains(u, "since") {
		t.Errorf("window in the URL: %s", u)
	}
	if _, _, err := p.Handshake("", ""); !errors.Is(err, conn.ErrUnauthorized) {
		t.Errorf("no token: %v", err)
	}
}

// Login errors hold neither the password nor a token.
func TestLoginErrorsHoldNoSecret(t *testing.T) {
	b := startBackend(t, legacyserver.Config{Mode: legacyserver.Query})
	for _, profile := range modeProfiles {
		p := b.protocol(t, profile)
		_, err := Authenticator{Profile: p.Profile}.Login(context.Background(), auth.Credentials{
			Account: auth.Account{Kind: KindName, Username: user}, Password: "wrong-" + password,
		})
		if err == nil || strings.Contains(err.Error(), password) {
			t.Errorf("error %v", err)
		}
	}
}
