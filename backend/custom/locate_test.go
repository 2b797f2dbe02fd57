package custom

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"tasktray/backend/internal/backendtest"
	"tasktray/conn"
	"tasktray/internal/legacyserver"
)

// beforeHistoryTimeout bounds how long a client asked to reconnect may
// wait on a hung missed-tasks address: well under conn's 15 s bound on
// asking where the history stands, so a client that waits that out fails.
const beforeHistoryTimeout = 10 * time.Second

// With no resume point at all (no login's, no cursor) the client asks the
// missed-tasks address where the history stands before it dials. When that
// address hangs, a new token or a request to reconnect must not wait for
// it: the new token is used at once (and the question asked again with
// it), and a reconnect asks again for at most 3 s, then dials (asked again
// so that a link without a resume point is not sent what came before it,
// TestReviewReconnectDuringHistoryNowShowsNothingTwice).
func TestHungHistoryQuestionGivesWayToNewTokenAndReconnect(t *testing.T) {
	ls := legacyserver.New(legacyserver.Config{Mode: legacyserver.Query, Replay: -1, Username: user, Password: password})
	var mu sync.Mutex
	hang := map[string]bool{} // tokens whose "where does history stand" hangs
	asked := make(chan string, 16)
	release := make(chan struct{})
	inner := ls.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/messages/missed") && r.URL.Query().Get("since") == "" {
			tok := r.URL.Query().Get("token")
			asked <- tok
			mu.Lock()
			h := hang[tok]
			mu.Unlock()
			if h {
				select {
				case <-r.Context().Done():
				case <-release:
				}
				return
			}
		}
		inner.ServeHTTP(w, r)
	}))
	defer hs.Close()
	defer close(release)
	defer ls.Close()
	b := &backend{Server: ls, http: hs}
	p := b.protocol(t, modeProfiles[legacyserver.Query]+nested+`
[resume]
missed_url = "http://{addr}/api/messages/missed?since={since}&token={token}"
missed_items = "data"
`)
	first, second := login(t, p).Token, login(t, p).Token
	mu.Lock()
	hang[first] = true
	mu.Unlock()
	waitAsked := func(want string) {
		t.Helper()
		for {
			select {
			case tok := <-asked:
				if tok == want {
					return
				}
			case <-time.After(beforeHistoryTimeout):
				t.Fatal("where the history stands was not asked with the expected token")
			}
		}
	}

	t.Run("new token", func(t *testing.T) {
		c, stop := startClient(t, p, first)
		defer stop()
		waitAsked(first) // hung
		c.SetToken(second)
		waitAsked(second)
		waitConnected(t, c)
	})
	t.Run("reconnect", func(t *testing.T) {
		c, stop := startClient(t, p, first)
		defer stop()
		waitAsked(first) // hung
		c.Reconnect()
		waitConnected(t, c)
	})
}

func startClient(t *testing.T, p *Protocol, token string) (*conn.Client, func()) {
	t.Helper()
	c, err := conn.New(conn.Config{Protocol: p, Token: token, Backoff: backendtest.FastBackoff,
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); c.Run(ctx) }()
	return c, func() { cancel(); wg.Wait() }
}

func waitConnected(t *testing.T, c *conn.Client) {
	t.Helper()
	guard := time.After(beforeHistoryTimeout)
	for {
		select {
		case s := <-c.States():
			if s.Phase == conn.Connected {
				return
			}
		case <-c.Tasks():
		case <-c.Gaps():
		case <-guard:
			t.Fatal("the link did not come up while the history question hung")
		}
	}
}
