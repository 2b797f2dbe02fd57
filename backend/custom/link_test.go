package custom

// A real conn.Client against internal/legacyserver, a backend that behaves
// like a browser-era company backend, in each of its modes.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"tasktray/auth"
	"tasktray/backend/internal/backendtest"
	"tasktray/conn"
	"tasktray/internal/legacyserver"
)

const (
	user     = "ann"
	password = "correct-horse-battery"
	waitLong = 20 * time.Second
)

type backend struct {
	*legacyserver.Server
	http *httptest.Server
}

func startBackend(t *testing.T, cfg legacyserver.Config) *backend {
	t.Helper()
	cfg.Username, cfg.Password = user, password
	s := legacyserver.New(cfg)
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		s.Close() // returns once the socket handlers have: goleak sees none
		hs.Close()
	})
	return &backend{Server: s, http: hs}
}

func (b *backend) addr() string { return b.http.Listener.Addr().String() }

// waitSocket waits until the backend has registered the client's n-th
// socket and it is the only one open. The client counts a link as up at
// the handshake's 101, and the backend registers the socket just after
// (as such backends do): a push or a Kick in between misses it, and with
// no re-send and no missed-tasks address the push is lost for good.
func (b *backend) waitSocket(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for st := b.Stats(); st.Open != 1 || st.Accepted < n; st = b.Stats() {
		if time.Now().After(deadline) {
			t.Fatalf("socket %d never registered alone: %+v", n, st)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// kicker returns a cut for Run.CutAndReconnect: each call waits for the
// client's next socket to be registered, then closes it.
func (b *backend) kicker(t *testing.T) func() {
	n := 0
	return func() {
		t.Helper()
		n++
		b.waitSocket(t, n)
		b.Kick()
	}
}

// Profiles for the test backend, one per mode; {addr} is its host:port.
var modeProfiles = map[legacyserver.Mode]string{
	legacyserver.Query: `
[login]
url = "http://{addr}/api/auth/login"
username_field = "userName"
password_field = "passWord"
token_from = "json"
token_path = "data.token"
[connect]
url = "ws://{addr}/websocket?lang=zh-CN&token={token}"
token_in = "query"
headers = { Origin = "http://{addr}" }
`,
	legacyserver.Path: `
[login]
url = "http://{addr}/api/auth/login"
username_field = "userName"
password_field = "passWord"
token_from = "header"
token_header = "X-Auth-Token"
[connect]
url = "ws://{addr}/websocket/{token}"
token_in = "path"
`,
	legacyserver.Cookie: `
[login]
url = "http://{addr}/login"
body = "form"
username_field = "j_username"
password_field = "j_password"
token_from = "cookies"
[connect]
url = "ws://{addr}/ws"
token_in = "cookie"
`,
	legacyserver.Subprotocol: `
[login]
url = "http://{addr}/api/auth/login"
username_field = "userName"
password_field = "passWord"
token_from = "json"
token_path = "data.token"
[connect]
url = "ws://{addr}/ws"
token_in = "subprotocol"
subprotocols = ["{token}"]
`,
}

// nested maps the backend's task frames; frames without ids ({"msg"},
// plain text) still show.
const nested = `
[mapping]
id = "data.id"
title = "data.title"
body = "data.content"
url = "data.link"
priority = "data.level"
time = "ts"
`

const msgOnly = `
[mapping]
body = "msg"
`

func (b *backend) protocol(t *testing.T, profile string) *Protocol {
	t.Helper()
	return mustProtocol(t, strings.ReplaceAll(profile, "{addr}", b.addr()))
}

func login(t *testing.T, p *Protocol) auth.Session {
	t.Helper()
	s, err := Authenticator{Profile: p.Profile}.Login(context.Background(), auth.Credentials{
		Account: auth.Account{Kind: KindName, Username: user}, Password: password,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func run(t *testing.T, p *Protocol, s auth.Session, cursor conn.CursorStore) *backendtest.Run {
	t.Helper()
	r := backendtest.StartRun(t, conn.Config{Protocol: p, Token: s.Token, StartFrom: s.Resume, Cursor: cursor,
		Backoff: backendtest.FastBackoff, StableAfter: 200 * time.Millisecond})
	r.WaitState(waitLong, "connected", func(s conn.State) bool { return s.Phase == conn.Connected })
	return r
}

// waitBodies waits until a task with each body was delivered and returns
// how often each body was delivered.
func waitBodies(t *testing.T, r *backendtest.Run, bodies ...string) map[string]int {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for {
		seen := map[string]int{}
		for _, id := range r.Delivered() {
			seen[r.Task(id).Body]++
		}
		missing := 0
		for _, b := range bodies {
			if seen[b] == 0 {
				missing++
			}
		}
		if missing == 0 {
			return seen
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages not delivered; state %v", missing, len(bodies), r.State())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// In each mode, a user who has only the profile logs in and gets each
// kind of push as one task.
func TestModes(t *testing.T) {
	for mode, profile := range modeProfiles {
		t.Run(string(mode), func(t *testing.T) {
			b := startBackend(t, legacyserver.Config{Mode: mode, Replay: -1})
			p := b.protocol(t, profile+nested)
			s := login(t, p)
			if s.Server != "http://"+b.addr() || s.Token == "" {
				t.Fatalf("session %+v", s.Account)
			}
			if mode == legacyserver.Cookie && !strings.Contains(s.Token, "SESSION=") {
				t.Errorf("cookie token is not the login's cookies")
			}
			r := run(t, p, s, nil)
			b.waitSocket(t, 1) // no re-send, no missed-tasks address
			b.PushMsg("Leave request from Li")
			b.PushText("Server restarted")
			id := b.PushTask("Sign PO 4711", "Amount 1,200 EUR")
			r.WaitFor(waitLong, id)
			seen := waitBodies(t, r, `{"msg":"Leave request from Li"}`, "Server restarted")
			if got := r.Task(id); got.Title != "Sign PO 4711" || got.Body != "Amount 1,200 EUR" || got.URL != "https://example.com/tasks/"+id || got.Priority != 4 {
				t.Errorf("task %+v", got)
			}
			if n := len(r.Delivered()); n != 3 || len(seen) != 3 {
				t.Errorf("delivered %d tasks, want 3: %v", n, seen)
			}
			if st := b.Stats(); st.Refused != 0 || st.Accepted != 1 {
				t.Errorf("server stats %+v", st)
			}
		})
	}
}

// The backend takes the token in its one place only: a token in a header,
// or in another place, is refused at the handshake.
func TestTokenOnlyInItsPlace(t *testing.T) {
	b := startBackend(t, legacyserver.Config{Mode: legacyserver.Query})
	tok := b.IssueToken()
	h := http.Header{"Authorization": {"Bearer " + tok}, "Cookie": {"SESSION=" + tok}, "Sec-WebSocket-Protocol": {"x"}}
	_, resp, err := websocket.DefaultDialer.Dial("ws://"+b.addr()+"/websocket", h)
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("token in a header: %v, %v", resp, err)
	}
	// A wrong password gives no token, in each login style.
	for mode, profile := range modeProfiles {
		p := b.protocol(t, profile)
		_, err := Authenticator{Profile: p.Profile}.Login(context.Background(), auth.Credentials{
			Account: auth.Account{Kind: KindName, Username: user}, Password: "wrong",
		})
		if err == nil || !strings.Contains(err.Error(), "wrong username or password") {
			t.Errorf("%s: wrong password: %v", mode, err)
		}
	}
}

// With ids: 0 lost, 0 duplicated across 10 forced disconnects, while the
// backend re-sends its last messages to each new socket and the missed
// tasks come from its missed-messages address.
func TestExactlyOnceWithIDs(t *testing.T) {
	b := startBackend(t, legacyserver.Config{Mode: legacyserver.Path, Replay: 20})
	p := b.protocol(t, modeProfiles[legacyserver.Path]+nested+`
[resume]
missed_url = "http://{addr}/api/messages/missed?since={since}&token={token}"
missed_items = "data"
`)
	s := login(t, p)
	r := run(t, p, s, backendtest.CursorFile(t))
	published := backendtest.PublishDuring(t, 5*time.Millisecond, func(i int) (string, error) {
		return b.PushTask(fmt.Sprintf("Task %d", i), "body"), nil
	}, func() {
		r.CutAndReconnect(10, waitLong, b.kicker(t))
	})
	r.WaitFor(waitLong, published...)
	r.CheckExactlyOnce("custom", "10 forced disconnects, with ids", published, 300*time.Millisecond)
	if st := b.Stats(); st.Accepted < 11 {
		t.Errorf("only %d sockets: the disconnects did not happen", st.Accepted)
	}
}

// After a restart, the tasks published while the app was closed come from
// the missed-messages address, once.
func TestMissedAfterRestart(t *testing.T) {
	b := startBackend(t, legacyserver.Config{Mode: legacyserver.Query, Replay: -1})
	p := b.protocol(t, modeProfiles[legacyserver.Query]+nested+`
[resume]
since_param = "since"
missed_url = "http://{addr}/api/messages/missed?since={since}&token={token}"
missed_items = "data"
`)
	old := b.PushTask("before the login", "")
	s := login(t, p)
	between := b.PushTask("between the login and the start", "")
	cursor := backendtest.CursorFile(t)
	r := run(t, p, s, cursor)
	first := b.PushTask("first", "")
	r.WaitFor(waitLong, between, first)
	if s.Resume != "l:"+old || r.At(old) != (time.Time{}) {
		t.Errorf("login's resume point %q; a task from before the login popped: %v", s.Resume, r.At(old))
	}
	r.Stop()
	closed := []string{b.PushTask("while closed 1", ""), b.PushTask("while closed 2", "")}
	r2 := run(t, p, s, cursor)
	r2.WaitFor(waitLong, closed...)
	marker := b.PushTask("marker", "")
	r2.WaitFor(waitLong, marker)
	if got := r2.Delivered(); strings.Join(got, ",") != strings.Join(append(closed, marker), ",") {
		t.Errorf("after the restart delivered %v, want %v (not %s again)", got, append(closed, marker), first)
	}
}

// Without ids: a backend that re-sends its last messages to each new
// socket gets none of them popped twice across 10 forced disconnects.
func TestNoDuplicateResendsWithoutIDs(t *testing.T) {
	b := startBackend(t, legacyserver.Config{Mode: legacyserver.Cookie, Replay: 40})
	p := b.protocol(t, modeProfiles[legacyserver.Cookie]+msgOnly)
	s := login(t, p)
	r := run(t, p, s, backendtest.CursorFile(t))
	var bodies []string
	backendtest.PublishDuring(t, 40*time.Millisecond, func(i int) (string, error) {
		text := fmt.Sprintf("Approval %d", i)
		if i%3 == 0 {
			b.PushText(text)
		} else {
			b.PushMsg(text)
		}
		bodies = append(bodies, text)
		return text, nil
	}, func() {
		r.CutAndReconnect(10, waitLong, b.kicker(t))
	})
	seen := waitBodies(t, r, bodies...)
	dups := 0
	for _, n := range seen {
		dups += n - 1
	}
	t.Logf("custom, 10 forced disconnects, no ids, re-send of 40: published %d, delivered %d, duplicated %d", len(bodies), len(seen), dups)
	if dups != 0 || len(seen) != len(bodies) {
		t.Errorf("published %d, delivered %d distinct, duplicated %d", len(bodies), len(seen), dups)
	}
}

// A restart without ids: the re-send to the new process pops nothing again.
func TestNoDuplicateResendsAfterRestart(t *testing.T) {
	b := startBackend(t, legacyserver.Config{Mode: legacyserver.Subprotocol, Replay: 5})
	p := b.protocol(t, modeProfiles[legacyserver.Subprotocol]+msgOnly)
	s := login(t, p)
	cursor := backendtest.CursorFile(t)
	r := run(t, p, s, cursor)
	b.PushMsg("one")
	b.PushText("two")
	waitBodies(t, r, "one", "two")
	r.Stop()
	r2 := run(t, p, s, cursor)
	b.PushMsg("marker")
	waitBodies(t, r2, "marker")
	if got := len(r2.Delivered()); got != 1 {
		t.Errorf("after the restart %d tasks popped, want only the marker", got)
	}
}

// A missed-tasks address that cannot answer (404, not a list) does not
// stop the link: the stream goes on and the user is told of a gap.
func TestMissedAddressBrokenGivesGap(t *testing.T) {
	b := startBackend(t, legacyserver.Config{Mode: legacyserver.Query, MissedStatus: http.StatusNotFound, Replay: -1})
	p := b.protocol(t, modeProfiles[legacyserver.Query]+nested+`
[resume]
missed_url = "http://{addr}/api/messages/missed?since={since}&token={token}"
`)
	s := login(t, p)
	logs, state, delivered := loggedRun(t, p, s.Token, nil)
	waitLog(t, logs, "msg=connected")
	b.waitSocket(t, 1) // no re-send, and the missed-tasks address fails
	b.PushTask("one", "")
	waitLog(t, logs, "generation=1")
	for deadline := time.Now().Add(waitLong); delivered() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the task never came")
		}
	}
	b.Kick()
	waitLog(t, logs, "404 Not Found")
	// The 404 may be the first link's; either way "two" must reach the
	// new socket: wait for it.
	b.waitSocket(t, 2)
	b.PushTask("two", "")
	for deadline := time.Now().Add(waitLong); delivered() < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the stream stopped: state %v\n%s", state(), logs)
		}
	}
}
