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

// README: "When a server no longer keeps everything that was missed ...
// the app says so: "Some tasks before 14:02 could not be fetched"". The
// converse must hold too, or the notice means nothing: a reconnect that
// missed nothing (the backend's missed-messages address answers an empty
// list, which the browser-era test backend writes as "data": null, as a Go
// or many Java backends do) must not tell the user that tasks are missing.
func TestReviewReconnectWithNothingMissedReportsNoGap(t *testing.T) {
	ls := legacyserver.New(legacyserver.Config{Mode: legacyserver.Query, Replay: -1, Username: user, Password: password})
	missedServed := make(chan struct{}, 16)
	inner := ls.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(w, r)
		if strings.HasPrefix(r.URL.Path, "/api/messages/missed") && r.URL.Query().Get("since") == "2" {
			missedServed <- struct{}{}
		}
	}))
	defer hs.Close()
	defer ls.Close()
	b := &backend{Server: ls, http: hs}
	p := b.protocol(t, modeProfiles[legacyserver.Query]+nested+`
[resume]
since_param = "since"
missed_url = "http://{addr}/api/messages/missed?since={since}&token={token}"
missed_items = "data"
`)
	b.PushTask("before the login", "")
	s := login(t, p)
	c, err := conn.New(conn.Config{Protocol: p, Token: s.Token, StartFrom: s.Resume, Backoff: backendtest.FastBackoff,
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); c.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()

	var gaps []conn.Gap
	guard := time.After(waitLong)
	waitTask := func(want string) {
		t.Helper()
		for {
			select {
			case task := <-c.Tasks():
				if task.ID == want {
					return
				}
			case g := <-c.Gaps():
				gaps = append(gaps, g)
			case <-c.States():
			case <-guard:
				t.Fatalf("task %s never came", want)
			}
		}
	}
	if one := b.PushTask("one", ""); one != "2" {
		t.Fatalf("id %s, want 2", one)
	} else {
		waitTask(one)
	}
	// "one" may come from the missed-tasks answer before the backend has
	// registered the socket (pushed while the link came up): wait for it.
	b.waitSocket(t, 1)
	b.Kick()
	// The reconnect's backfill (since = 2, "one") is answered: nothing was
	// missed. Cut again, and wait for the next reconnect's backfill: Run is
	// sequential, so by then the first one's answer was applied, and a gap
	// it gave is waiting on Gaps (which keeps the newest until read).
	served := func() {
		t.Helper()
		select {
		case <-missedServed:
		case <-guard:
			t.Fatal("the reconnect never asked for missed tasks")
		}
	}
	served()
	// The new socket, not the old one its handler has yet to forget.
	b.waitSocket(t, 2)
	b.Kick()
	served()
	select {
	case g := <-c.Gaps():
		gaps = append(gaps, g)
	default:
	}
	if len(gaps) != 0 {
		t.Errorf("a reconnect that missed nothing told the user tasks are missing: %+v", gaps)
	}
}
