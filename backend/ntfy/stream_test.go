package ntfy_test

// Login and a real conn.Client against fakeNtfy (fake_test.go), which
// reproduces a real ntfy v2.13.0 byte for byte; ntfy cannot run here.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"tasktray/auth"
	"tasktray/backend/internal/backendtest"
	"tasktray/backend/ntfy"
	"tasktray/conn"
)

const (
	alice     = "alice"
	alicePass = "alice-correct-horse"
	topic     = "tasks-alice"
	keepalive = 500 * time.Millisecond // the fake's ping period (45 s on a real server)
	pongWait  = 2 * time.Second
	waitLong  = 20 * time.Second
)

func account(f *fakeNtfy, topics string) auth.Account {
	return auth.Account{Kind: "ntfy", Server: f.URL(), Username: alice, Options: map[string]string{ntfy.OptionTopics: topics}}
}

func login(t *testing.T, f *fakeNtfy, topics string) auth.Session {
	t.Helper()
	s, err := ntfy.Authenticator{}.Login(context.Background(), auth.Credentials{Account: account(f, topics), Password: alicePass})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fakeRun is a client run against a fake, with the catch-up polls of its
// links.
type fakeRun struct {
	*backendtest.Run
	f     *fakeNtfy
	polls *linkPolls
}

// start runs a client and waits until the server has subscribed its link
// and the client says it is connected: on a first link (no since=) a
// message published before that is never sent, as on a real ntfy, and the
// state's generation is the link's.
func start(t *testing.T, f *fakeNtfy, s auth.Session, cursor conn.CursorStore, backoff conn.Backoff) *fakeRun {
	t.Helper()
	return startHeld(t, f, s, cursor, backoff, false)
}

// startHeld is start; with holdFirst, the first link never runs its
// catch-up poll.
func startHeld(t *testing.T, f *fakeNtfy, s auth.Session, cursor conn.CursorStore, backoff conn.Backoff, holdFirst bool) *fakeRun {
	t.Helper()
	p, err := ntfy.New(s.Account)
	if err != nil {
		t.Fatal(err)
	}
	p.PongWait = pongWait
	w := newPollWatch(p)
	w.holdFirst = holdFirst
	links := len(f.Sinces())
	r := backendtest.StartRun(t, conn.Config{Protocol: w, Token: s.Token, Cursor: cursor, Backoff: backoff, StableAfter: 200 * time.Millisecond,
		Dialer: p.Dialer(websocket.DefaultDialer)})
	r.WaitState(waitLong, "subscribed and connected", func(s conn.State) bool {
		return len(f.Sinces()) > links && s.Phase == conn.Connected
	})
	return &fakeRun{Run: r, f: f, polls: w.links}
}

// checkExactlyOnce is checkSettled with markers published to topic.
func (r *fakeRun) checkExactlyOnce(t *testing.T, what string, published []string) {
	t.Helper()
	checkSettled(t, r.Run, r.polls, "ntfy (fake)", what, published, func(round int) string {
		return r.f.publish(topic, fmt.Sprintf("marker %d after %s", round, what), "", 0)
	})
}

// The fake's frames are the recorded ones, byte for byte.
func TestFakeMatchesRecording(t *testing.T) {
	f := newFakeNtfy(t, keepalive, topic)
	s := login(t, f, topic)
	h := http.Header{"Authorization": {"Bearer " + s.Token}}
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+f.addr+"/"+topic+"/ws", h)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_, open, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	id := f.publish(topic, "Task done", "build #42 finished", 4, "white_check_mark")
	_, msg, err := ws.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	// The recording with its ids and times swapped for this run's.
	const (
		recordedOpen    = `{"id":"VhC9NNdjbOrt","time":1764447612,"event":"open","topic":"tasks-alice"}` + "\n"
		recordedMessage = `{"id":"Pybp22VPbIJY","time":1764447615,"expires":1764490815,"event":"message","topic":"tasks-alice","title":"Task done","message":"build #42 finished","priority":4,"tags":["white_check_mark"]}` + "\n"
	)
	openTime := field(t, open, `"time":`, ",")
	wantOpen := strings.NewReplacer("VhC9NNdjbOrt", field(t, open, `"id":"`, `"`), "1764447612", openTime).Replace(recordedOpen)
	if string(open) != wantOpen {
		t.Errorf("open frame\n got %q\nwant %q", open, wantOpen)
	}
	wantMsg := strings.NewReplacer("Pybp22VPbIJY", id, "1764447615", field(t, msg, `"time":`, ","),
		"1764490815", field(t, msg, `"expires":`, ",")).Replace(recordedMessage)
	if string(msg) != wantMsg {
		t.Errorf("message frame\n got %q\nwant %q", msg, wantMsg)
	}
}

// field returns what follows prefix in frame up to end.
func field(t *testing.T, frame []byte, prefix, end string) string {
	t.Helper()
	_, rest, ok := strings.Cut(string(frame), prefix)
	v, _, ok2 := strings.Cut(rest, end)
	if !ok || !ok2 {
		t.Fatalf("no %s in %s", prefix, frame)
	}
	return v
}

func TestLogin(t *testing.T) {
	f := newFakeNtfy(t, keepalive, topic, "ops")
	s := login(t, f, topic+",ops")
	if !strings.HasPrefix(s.Token, "tk_") || !s.ExpiresAt.IsZero() {
		t.Errorf("session token %q expires %v", s.Token[:3], s.ExpiresAt)
	}

	_, err := ntfy.Authenticator{}.Login(context.Background(), auth.Credentials{Account: account(f, topic), Password: "wrong"})
	if !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("wrong password: %v", err)
	}

	before := f.tokenCount()
	_, err = ntfy.Authenticator{}.Login(context.Background(), auth.Credentials{Account: account(f, topic+",secret"), Password: alicePass})
	if !errors.Is(err, ntfy.ErrTopicForbidden) || !strings.Contains(err.Error(), `"secret"`) || strings.Contains(err.Error(), alicePass) {
		t.Errorf("forbidden topic: %v", err)
	}
	if f.tokenCount() != before {
		t.Errorf("the token made for a forbidden topic was left on the server")
	}

	_, err = ntfy.Authenticator{}.Login(context.Background(), auth.Credentials{Account: account(f, ""), Password: alicePass})
	if !errors.Is(err, ntfy.ErrBadTopics) {
		t.Errorf("no topic: %v", err)
	}

	if err := (ntfy.Authenticator{}).Logout(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if f.tokenCount() != before-1 {
		t.Errorf("logout left the token on the server")
	}
	if err := (ntfy.Authenticator{}).Logout(context.Background(), s); err != nil {
		t.Errorf("second logout (token already gone, 401): %v", err)
	}
}

func TestLoginNotNtfy(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_, err := ntfy.Authenticator{}.Login(context.Background(), auth.Credentials{
		Account: auth.Account{Server: srv.URL, Username: alice, Options: map[string]string{ntfy.OptionTopics: topic}}, Password: alicePass})
	if !errors.Is(err, auth.ErrNotServer) {
		t.Errorf("got %v, want ErrNotServer", err)
	}
}

// A first link without a resume point (no login's: an older version's
// session) starts from where the history stands (HistoryNow: the newest
// cached message) and fetches nothing old; then tasks arrive live, and a
// link that broke before any task resumes from there or, once its
// catch-up poll ran, from the time of its open.
func TestFirstLinkThenLive(t *testing.T) {
	f := newFakeNtfy(t, keepalive, topic)
	s := login(t, f, topic)
	old := f.publish(topic, "before tasktray", "", 0)
	// ntfy times are seconds, and resuming from the open's time replays its
	// whole second: a message of that second from just before the first
	// link would come too (one early popup rather than one lost).
	time.Sleep(1100 * time.Millisecond)
	r := start(t, f, s, backendtest.CursorFile(t), backendtest.FastBackoff)
	gen := r.State().Generation

	f.dropAll() // before any task: only the open's time can resume
	missed := f.publish(topic, "published while the link was down", "", 0)
	r.WaitReconnected(waitLong, gen)
	r.WaitFor(waitLong, missed)
	live := f.publish(topic, "Task done", "build #42 finished", 5, "white_check_mark")
	r.WaitFor(waitLong, live)
	if got := r.Task(live); got.Title != "✅ Task done" || got.Body != "build #42 finished" || got.Priority != 5 || len(got.Tags) != 0 {
		t.Errorf("task %+v", got)
	}
	if sinces := f.Sinces(); len(sinces) < 2 || sinces[0] != old {
		t.Errorf("sinces %v, want the newest cached message's id (%s) at first, then it or the open's time", sinces, old)
	} else if _, err := strconv.ParseInt(sinces[1], 10, 64); err != nil && sinces[1] != old {
		t.Errorf("second since %q is neither the first's nor a time", sinces[1])
	}
	r.checkExactlyOnce(t, "first link", []string{missed, live})
	if !r.At(old).IsZero() {
		t.Error("a message from before the first link was delivered")
	}
}

// Ten drops of every link while messages are published: each arrives
// exactly once (live, or replayed from since=<last id>).
func TestForcedDisconnects(t *testing.T) {
	if testing.Short() {
		t.Skip("takes seconds")
	}
	f := newFakeNtfy(t, keepalive, topic)
	r := start(t, f, login(t, f, topic), backendtest.CursorFile(t), backendtest.FastBackoff)
	first := f.publish(topic, "first", "", 0)
	r.WaitFor(waitLong, first)
	published := append([]string{first}, backendtest.PublishDuring(t, 2*time.Millisecond, func(i int) (string, error) {
		return f.publish(topic, "task "+strconv.Itoa(i), "published during the drops", 3), nil
	}, func() {
		r.CutAndReconnect(10, waitLong, f.dropAll)
	})...)
	r.WaitFor(waitLong, published...)
	r.checkExactlyOnce(t, "10 forced disconnects (links dropped by the server)", published)
	t.Logf("the fake replayed %d cached messages on the redials", f.Replayed())
}

// The server goes down and comes back (cache kept): the client redials
// with the production backoff and gets what is published at once.
func TestServerRestart(t *testing.T) {
	f := newFakeNtfy(t, keepalive, topic)
	r := start(t, f, login(t, f, topic), backendtest.CursorFile(t), conn.DefaultBackoff)
	before := f.publish(topic, "before the restart", "", 0)
	r.WaitFor(waitLong, before)

	back := r.Outage(waitLong, func() error { f.stop(); return nil }, func() error { f.start(); return nil })
	after := f.publish(topic, "after the restart", "", 0)
	// The production backoff may have planned its next dial up to its
	// Max after the server came back.
	r.WaitFor(conn.DefaultBackoff.Max+waitLong, after)
	t.Logf("ntfy (fake), server restart: first task %v after the server was back (production backoff)",
		r.At(after).Sub(back).Round(time.Millisecond))
	r.checkExactlyOnce(t, "server restart", []string{before, after})
}

// A link that goes silent without closing is declared dead within PongWait;
// what was published meanwhile is replayed.
func TestDroppedLink(t *testing.T) {
	f := newFakeNtfy(t, keepalive, topic)
	r := start(t, f, login(t, f, topic), backendtest.CursorFile(t), backendtest.FastBackoff)
	first := f.publish(topic, "first", "", 0)
	r.WaitFor(waitLong, first)
	gen := r.WaitState(waitLong, "connected", func(s conn.State) bool { return s.Phase == conn.Connected }).Generation
	f.stall()
	stalled := time.Now()
	during := f.publish(topic, "lost in the stream", "", 0)
	r.WaitReconnected(waitLong, gen)
	noticed := time.Since(stalled)
	r.WaitFor(waitLong, during)
	t.Logf("ntfy (fake), dropped link: noticed after %v (PongWait %v)", noticed.Round(time.Millisecond), pongWait)
	// A failure guard, not a timing claim (a loaded machine adds seconds):
	// the link's PongWait, not the 75 s default, ended it.
	if noticed > 5*pongWait {
		t.Errorf("dead link noticed after %v, want about PongWait (%v)", noticed, pongWait)
	}
	r.checkExactlyOnce(t, "dropped link", []string{first, during})
}

// When the resume id of an older version's cursor has left the server's
// cache, ntfy replays the whole cache; the persisted cursor's seen IDs keep
// every old message from popping up again, across an app restart.
func TestUnknownIDReplaysTheCache(t *testing.T) {
	f := newFakeNtfy(t, keepalive, topic)
	s := login(t, f, topic)
	cursor := backendtest.CursorFile(t)
	r := start(t, f, s, cursor, backendtest.FastBackoff)
	var first []string
	for i := range 5 {
		first = append(first, f.publish(topic, "seen "+strconv.Itoa(i), "", 0))
	}
	r.WaitFor(waitLong, first...)
	r.Stop()

	// A cursor of an older version, which resumed from the last id; that
	// id expires from the cache.
	cur, err := cursor.Load()
	if err != nil {
		t.Fatal(err)
	}
	cur.Resume = first[4]
	if err := cursor.Save(cur); err != nil {
		t.Fatal(err)
	}
	f.forget(first[4])
	later := []string{f.publish(topic, "new 1", "", 0), f.publish(topic, "new 2", "", 0)}
	replayedBefore := f.Replayed()
	r2 := start(t, f, s, cursor, backendtest.FastBackoff)
	r2.WaitFor(waitLong, later...)
	r2.checkExactlyOnce(t, "app restart with an expired resume id", later)
	if sinces := f.Sinces(); sinces[len(sinces)-1] != first[4] {
		t.Errorf("resumed since %q, want the last delivered id %s", sinces[len(sinces)-1], first[4])
	}
	if n := f.Replayed() - replayedBefore; n != 6 {
		t.Errorf("the server replayed %d messages, want the whole cache (6)", n)
	}
}

// A revoked token (401) or a topic no longer readable (403) stops the
// client until the user logs in again.
func TestRefused(t *testing.T) {
	for _, c := range []struct {
		name   string
		refuse func(*fakeNtfy)
		status string
	}{
		{"revoked token", (*fakeNtfy).revokeAll, "HTTP 401"},
		{"topic forbidden", (*fakeNtfy).denyAll, "HTTP 403"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeNtfy(t, keepalive, topic)
			s := login(t, f, topic)
			r := start(t, f, s, backendtest.CursorFile(t), backendtest.FastBackoff)
			c.refuse(f)
			f.dropAll()
			st := r.WaitState(waitLong, "auth-required", func(s conn.State) bool { return s.Phase == conn.AuthRequired })
			if !strings.Contains(st.Reason, c.status) || strings.Contains(st.Reason, s.Token) {
				t.Errorf("reason %q", st.Reason)
			}
		})
	}
}

// waitUntil polls cond until it holds; timeout is a failure guard only.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v, still not %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A message published while the client re-subscribes reaches neither the
// old link nor the new link's replay of the cache, as on a real ntfy (it
// sends to the subscribers before it writes the cache; a new link
// subscribes, then reads the cache). The catch-up poll after the new link
// is up brings it in, exactly once (defect 21): from 2 s before the last
// delivered message when the old link had caught up, and from where the old
// link began when it broke before its own catch-up poll ran.
func TestPublishedWhileResubscribing(t *testing.T) {
	for _, c := range []struct {
		name     string
		caughtUp bool // the old link's catch-up poll ran before it broke
	}{
		{"after the old link caught up", true},
		{"before the old link caught up", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeNtfy(t, keepalive, topic)
			cursor := backendtest.CursorFile(t)
			// However slow this machine, the old link must not poll before
			// it breaks when it should not have caught up.
			r := startHeld(t, f, login(t, f, topic), cursor, backendtest.FastBackoff, !c.caughtUp)
			// Dated well after the link's open, so that the catch-up point
			// it hands on once caught up differs from the one it owes.
			f.dateAhead(100)
			first := f.publish(topic, "first", "", 0)
			r.WaitFor(waitLong, first)
			if c.caughtUp {
				caughtUp := strconv.FormatInt(f.timeOf(first)-2, 10) // and no catch-up owed
				waitUntil(t, waitLong, "caught up", func() bool { cur, _ := cursor.Load(); return cur.Resume == caughtUp })
			}
			// The old link's poll, if it ran, is counted: its answer came
			// before the cursor moved.
			polls := len(f.Polls())

			ready := f.Ready()
			f.holdCache()
			f.dropAll()
			lost := f.publish(topic, "published while re-subscribing", "", 0)
			waitUntil(t, waitLong, "re-subscribed", func() bool { return f.Ready() > ready })
			f.releaseCache() // now in the cache, but after the new link read it
			live := f.publish(topic, "live on the new link", "", 0)
			r.WaitFor(waitLong, live, lost)
			r.checkExactlyOnce(t, "published while re-subscribing, "+c.name, []string{first, lost, live})

			got := f.Polls()[polls:]
			if want := strconv.FormatInt(f.timeOf(first)-2, 10); c.caughtUp && (len(got) == 0 || got[0] != want) {
				t.Errorf("catch-up polls since %q, want 2 s before the last delivered message (%s)", got, want)
			}
			if !c.caughtUp && (len(got) == 0 || !isTime(got[0]) || got[0] >= strconv.FormatInt(f.timeOf(first)-2, 10)) {
				t.Errorf("catch-up polls since %q, want from where the old link began (before its open's time)", got)
			}
		})
	}
}

func isTime(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// The login's resume point is where the server stood at login: a message
// published between the login and the first link is delivered, one
// published before the login is not, even in the login's own second (the
// resume point is the newest message's id, not a time).
func TestLoginResumePoint(t *testing.T) {
	f := newFakeNtfy(t, keepalive, topic)
	before := f.publish(topic, "before the login", "", 0)
	s := login(t, f, topic)
	if s.Resume != before {
		t.Fatalf("login resume point %q, want the newest message's id %q", s.Resume, before)
	}
	early := f.publish(topic, "between the login and the first link", "", 0)
	p, err := ntfy.New(s.Account)
	if err != nil {
		t.Fatal(err)
	}
	w := newPollWatch(p)
	r := &fakeRun{f: f, polls: w.links, Run: backendtest.StartRun(t, conn.Config{Protocol: w, Token: s.Token, StartFrom: s.Resume, Cursor: backendtest.CursorFile(t), Backoff: backendtest.FastBackoff})}
	r.WaitFor(waitLong, early)
	r.checkExactlyOnce(t, "login resume point", []string{early})
	if !r.At(before).IsZero() {
		t.Error("a message from before the login was delivered")
	}
}

// A 403 at the handshake can be spurious on a real ntfy (a valid token,
// refused under concurrent requests from one IP): it is retried with the
// backoff, and means "log in again" only when it persists. A 401 means it
// at once.
func TestHandshakeRefusals(t *testing.T) {
	for _, c := range []struct {
		name       string
		refusals   []int
		authNeeded bool
	}{
		{"two spurious 403s", []int{403, 403}, false},
		{"a 403 that persists", []int{403, 403, 403}, true},
		{"a 401", []int{401}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeNtfy(t, keepalive, topic)
			s := login(t, f, topic)
			r := start(t, f, s, backendtest.CursorFile(t), backendtest.FastBackoff)
			gen := r.State().Generation
			f.refuseNext(c.refusals...)
			f.dropAll()
			if c.authNeeded {
				st := r.WaitState(waitLong, "auth-required", func(s conn.State) bool { return s.Phase == conn.AuthRequired })
				if !strings.Contains(st.Reason, strconv.Itoa(c.refusals[len(c.refusals)-1])) || strings.Contains(st.Reason, s.Token) {
					t.Errorf("reason %q", st.Reason)
				}
				return
			}
			r.WaitReconnected(waitLong, gen)
			live := f.publish(topic, "after the refusals", "", 0)
			r.WaitFor(waitLong, live)
		})
	}
}
