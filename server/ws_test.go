package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"
	"golang.org/x/crypto/bcrypt"
)

func TestTaskFrameFormat(t *testing.T) {
	e := newEnv(t, Config{})
	c := e.dial(e.login("alice", "secret"), "")
	e.waitConns("alice", 1)
	e.publish("alice", TaskInput{Title: "  Deploy  ", Body: "prod <eu> & us", URL: "https://example.com/d?a=1&b=2", Priority: 4})
	e.publish("alice", TaskInput{Title: "Plain"})

	c.SetReadDeadline(time.Now().Add(waitLong))
	_, data, err := c.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"body":"prod <eu> & us"`) {
		t.Errorf("frame %s escapes HTML characters", data)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	ts, _ := got["time"].(string)
	if _, err := time.Parse(time.RFC3339, ts); err != nil {
		t.Errorf("time %q is not RFC 3339", ts)
	}
	delete(got, "time")
	want := map[string]any{"type": "task", "id": 1.0, "title": "Deploy", "body": "prod <eu> & us", "url": "https://example.com/d?a=1&b=2", "priority": 4.0}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("frame %s\nwant the fields %v", data, want)
	}

	f := readFrame(t, c)
	if f.ID != 2 || f.Priority != priorityDefault || f.Body != "" || f.URL != "" {
		t.Errorf("second frame %+v: want id 2, default priority, empty body and url", f)
	}
}

func TestTokenInHeaderOrQuery(t *testing.T) {
	e := newEnv(t, Config{})
	token := e.login("alice", "secret")

	byHeader := e.dial(token, "")
	byQuery := e.dial("", "token="+url.QueryEscape(token))
	u := "ws" + strings.TrimPrefix(e.ts.URL, "http") + "/ws"
	lower, _, err := websocket.DefaultDialer.Dial(u, map[string][]string{"Authorization": {"bearer " + token}})
	if err != nil {
		t.Fatalf("lower-case bearer scheme: %v", err)
	}
	defer lower.Close()
	if err := readHello(lower); err != nil {
		t.Fatal(err)
	}

	e.waitConns("alice", 3)
	e.publish("alice", TaskInput{Title: "t"})
	for _, c := range []*websocket.Conn{byHeader, byQuery, lower} {
		if f := readFrame(t, c); f.ID != 1 {
			t.Errorf("got id %d", f.ID)
		}
	}
}

func TestHandshakeRefusesBadTokens(t *testing.T) {
	e := newEnv(t, Config{})
	revoked := e.login("bob", "hunter2")
	e.srv.Revoke("bob")
	loggedOut := e.login("alice", "secret")
	if status, body := e.request("POST", "/api/logout", "", "Authorization", "Bearer "+loggedOut); status != 204 {
		t.Fatalf("logout: %d %s", status, body)
	}
	short := newEnv(t, Config{TokenTTL: 50 * time.Millisecond})
	expired := short.login("alice", "secret")
	waitInvalid(t, short, expired)

	for _, tc := range []struct {
		name, token, query string
		e                  *env
	}{
		{"none", "", "", e},
		{"garbage", "not-a-token", "", e},
		{"garbage in query", "", "token=not-a-token", e},
		{"revoked", revoked, "", e},
		{"logged out", loggedOut, "", e},
		{"expired", expired, "", short},
		{"expired in query", "", "token=" + expired, short},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, resp, err := tc.e.dialErr(tc.token, tc.query)
			if c != nil || !errors.Is(err, websocket.ErrBadHandshake) {
				t.Fatalf("dial: %v, want a refused handshake", err)
			}
			body, _ := io.ReadAll(resp.Body)
			expectError(t, resp.StatusCode, body, 401, "unauthorized")
		})
	}

	c, resp, err := e.dialErr(e.login("alice", "secret"), "since=-1")
	if c != nil || err == nil {
		t.Fatal("since=-1 accepted")
	}
	body, _ := io.ReadAll(resp.Body)
	expectError(t, resp.StatusCode, body, 400, "bad_request")

	status, body := e.request("GET", "/ws", "", "Authorization", "Bearer "+e.login("alice", "secret"))
	expectError(t, status, body, 400, "bad_request")
}

func TestLogoutRevokesTokenAndClosesItsSockets(t *testing.T) {
	e := newEnv(t, Config{})
	token, other := e.login("alice", "secret"), e.login("alice", "secret")
	c1, c2, keep := e.dial(token, ""), e.dial(token, "since=0"), e.dial(other, "")
	e.waitConns("alice", 3)

	status, body := e.request("POST", "/api/logout", "", "Authorization", "Bearer "+token)
	if status != 204 || len(body) != 0 {
		t.Fatalf("logout: %d %s", status, body)
	}
	expectClose(t, c1, codeUnauthorized, "unauthorized")
	expectClose(t, c2, codeUnauthorized, "unauthorized")

	e.waitConns("alice", 1)
	e.publish("alice", TaskInput{Title: "still here"})
	if f := readFrame(t, keep); f.Title != "still here" {
		t.Fatalf("the other token's socket got %+v", f)
	}
	status, body = e.request("POST", "/api/logout", "", "Authorization", "Bearer "+token)
	expectError(t, status, body, 401, "unauthorized")
	status, body = e.request("POST", "/api/logout", "")
	expectError(t, status, body, 401, "unauthorized")
}

func TestRevokeClosesEverySocketOfTheUser(t *testing.T) {
	e := newEnv(t, Config{})
	a1, a2 := e.dial(e.login("alice", "secret"), ""), e.dial(e.login("alice", "secret"), "")
	b := e.dial(e.login("bob", "hunter2"), "")
	e.waitConns("alice", 2)
	e.waitConns("bob", 1)

	e.srv.Revoke("alice")
	expectClose(t, a1, codeUnauthorized, "unauthorized")
	expectClose(t, a2, codeUnauthorized, "unauthorized")
	e.publish("bob", TaskInput{Title: "t"})
	readFrame(t, b)
}

// TestLinkEndsWhenItsTokenCannotBeRenewed: a token gone from the table
// without a logout (as a sweep would do) is not renewed, and the link ends
// with 4401 when the token's life is over.
func TestLinkEndsWhenItsTokenCannotBeRenewed(t *testing.T) {
	// Long enough for the dial after the login to find the token alive on
	// a loaded machine.
	e := newEnv(t, Config{TokenTTL: 2 * time.Second})
	c := e.dial(e.login("alice", "secret"), "")
	e.srv.mu.Lock()
	clear(e.srv.tokens) // also any token the link was renewed to meanwhile
	e.srv.mu.Unlock()
	expectClose(t, c, codeUnauthorized, "unauthorized")
}

func TestReplaySince(t *testing.T) {
	e := newEnv(t, Config{})
	token := e.login("alice", "secret")
	for i := range 5 {
		e.publish("alice", TaskInput{Title: fmt.Sprint("task ", i+1)})
	}
	e.publish("bob", TaskInput{Title: "bob's own counter"})

	for _, tc := range []struct {
		query string
		want  []int64 // before the live task 6
	}{
		{"since=2", []int64{3, 4, 5}},
		{"since=0", []int64{1, 2, 3, 4, 5}},
		{"since=5", nil},
		{"since=99", nil},
		{"", nil},
		{"since=", nil},
	} {
		t.Run(tc.query, func(t *testing.T) {
			c := e.dial(token, tc.query)
			var got []int64
			for range tc.want {
				got = append(got, readFrame(t, c).ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("replayed %v, want %v", got, tc.want)
			}
			if f, err := tryReadFrame(c, 100*time.Millisecond); err == nil {
				t.Fatalf("extra frame %+v", f)
			}
		})
	}

	c := e.dial(token, "since=3")
	e.waitConns("alice", 1+6) // the subtests' sockets stay open until the end
	e.publish("alice", TaskInput{Title: "live"})
	var got []int64
	for range 3 {
		got = append(got, readFrame(t, c).ID)
	}
	if !slices.Equal(got, []int64{4, 5, 6}) {
		t.Fatalf("got %v, want the replay 4 5 then the live 6", got)
	}
}

func TestHistoryIsBounded(t *testing.T) {
	e := newEnv(t, Config{HistorySize: 3})
	token := e.login("alice", "secret")
	for range 10 {
		e.publish("alice", TaskInput{Title: "t"})
	}
	for _, tc := range []struct {
		since string
		want  []int64
	}{
		{"0", []int64{8, 9, 10}},
		{"6", []int64{8, 9, 10}}, // 7 is gone: everything kept is sent
		{"7", []int64{8, 9, 10}},
		{"8", []int64{9, 10}},
		{"10", nil},
	} {
		c := e.dial(token, "since="+tc.since)
		var got []int64
		for range tc.want {
			got = append(got, readFrame(t, c).ID)
		}
		if f, err := tryReadFrame(c, 50*time.Millisecond); err == nil {
			got = append(got, f.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("since=%s: got %v, want %v", tc.since, got, tc.want)
		}
		c.Close()
	}
}

// TestResumeHasNoGapNorDuplicate publishes non-stop while a client keeps
// dropping its link and resuming with since=<last id it got>. Every frame
// it ever receives must carry exactly the next id: a task lost at the seam
// between replay and live delivery shows as a gap, one sent twice as a
// repeat.
func TestResumeHasNoGapNorDuplicate(t *testing.T) {
	const total = 3000
	e := newEnv(t, Config{HistorySize: total})
	token := e.login("alice", "secret")

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range total {
			if _, err := e.srv.Publish("alice", TaskInput{Title: "t"}); err != nil {
				t.Error(err)
				return
			}
			if i%8 == 0 {
				time.Sleep(100 * time.Microsecond) // let handshakes land mid-stream
			}
		}
	}()
	defer wg.Wait()

	var last int64
	deadline := time.Now().Add(time.Minute)
	links := 0
	defer func() { t.Logf("%d tasks over %d links", last, links) }()
	for ; last < total; links++ {
		if time.Now().After(deadline) {
			t.Fatalf("got up to %d of %d after %d links", last, total, links)
		}
		since := last
		c, _, err := e.dialErr(token, fmt.Sprint("since=", since))
		if err != nil {
			t.Fatal(err)
		}
		for n := 1 + rand.IntN(60); n > 0 && last < total; n-- {
			f, err := tryReadFrame(c, 2*time.Second)
			if err != nil {
				break // dropped as slow, or waiting for the publisher: resume
			}
			if f.ID != last+1 {
				t.Fatalf("link %d (since=%d): got id %d after %d", links, since, f.ID, last)
			}
			last = f.ID
		}
		if links%10 == 0 {
			e.srv.DropConnections()
		}
		c.Close()
	}
}

func TestBroadcast(t *testing.T) {
	e := newEnv(t, Config{})
	e.publish("alice", TaskInput{Title: "before"})
	a := e.dial(e.login("alice", "secret"), "")
	b := e.dial(e.login("bob", "hunter2"), "")
	e.waitConns("alice", 1)
	e.waitConns("bob", 1)

	status, body := e.request("POST", "/api/tasks", `{"user":"*","title":"Fire drill","priority":5}`, "X-Publisher-Key", testKey)
	if status != 201 || string(body) != `{"ids":{"alice":2,"bob":1}}`+"\n" {
		t.Fatalf("got %d %s", status, body)
	}
	if f := readFrame(t, a); f.ID != 2 || f.Title != "Fire drill" || f.Priority != 5 {
		t.Errorf("alice got %+v", f)
	}
	if f := readFrame(t, b); f.ID != 1 || f.Title != "Fire drill" {
		t.Errorf("bob got %+v", f)
	}
}

func TestHeartbeatEcho(t *testing.T) {
	for _, hb := range []string{"", "Ping!"} {
		e := newEnv(t, Config{Heartbeat: hb})
		if hb == "" {
			hb = defaultHeartbeat
		}
		c := e.dial(e.login("alice", "secret"), "")
		e.waitConns("alice", 1)
		for _, msg := range []string{hb, strings.ToLower(hb), hb + " ", "{}"} {
			if err := c.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
				t.Fatal(err)
			}
		}
		c.WriteMessage(websocket.BinaryMessage, []byte(hb))
		c.WriteMessage(websocket.TextMessage, []byte(hb))

		// Exactly two echoes, then the task: nothing else was answered.
		for range 2 {
			c.SetReadDeadline(time.Now().Add(waitLong))
			kind, data, err := c.ReadMessage()
			if err != nil || kind != websocket.TextMessage || string(data) != hb {
				t.Fatalf("got %d %q %v, want the echo %q", kind, data, err, hb)
			}
		}
		e.publish("alice", TaskInput{Title: "after"})
		if f := readFrame(t, c); f.Title != "after" {
			t.Fatalf("got %+v", f)
		}
	}
}

func TestServerPingsAndDropsSilentLinks(t *testing.T) {
	const pingPeriod, pongWait = 50 * time.Millisecond, 2 * time.Second
	e := newEnv(t, Config{PingPeriod: pingPeriod, PongWait: pongWait})
	token := e.login("alice", "secret")

	// A client that reads answers pings (gorilla's default handler) and
	// stays up well past PongWait.
	live := e.dial(token, "")
	var pings atomic.Int32
	answer := live.PingHandler()
	live.SetPingHandler(func(data string) error {
		pings.Add(1)
		return answer(data)
	})
	readDone := make(chan error, 1)
	go func() {
		_, _, err := live.ReadMessage()
		readDone <- err
	}()

	// A client that sends the text heartbeat but never reads does not
	// answer pings; any frame still counts as a sign of life.
	chatty := e.dial(token, "")
	// A client that neither reads nor writes is dead to the server.
	e.dial(token, "")
	e.waitConns("alice", 3)

	// Until silent is gone (after its PongWait) and live has answered
	// pings for 1.5 PongWait: live and chatty remain. PongWait is long
	// beside chatty's 40 ms, so a stalled test goroutine cannot pass for
	// a silent chatty.
	wantPings := int32(pongWait * 3 / 2 / pingPeriod)
	deadline := time.Now().Add(waitLong)
	for e.connCount("alice") != 2 || pings.Load() < wantPings {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %d sockets (want live and chatty), live saw %d pings (want %d)", waitLong, e.connCount("alice"), pings.Load(), wantPings)
		}
		time.Sleep(40 * time.Millisecond)
		if err := chatty.WriteMessage(websocket.TextMessage, []byte(defaultHeartbeat)); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-readDone:
		t.Fatalf("live was dropped: %v", err)
	default:
	}
	live.Close()
	<-readDone
}

func TestReadLimit(t *testing.T) {
	e := newEnv(t, Config{})
	c := e.dial(e.login("alice", "secret"), "")
	c.WriteMessage(websocket.TextMessage, make([]byte, maxClientFrame+1))
	expectClose(t, c, websocket.CloseMessageTooBig, "")
}

func TestSlowClientIsDropped(t *testing.T) {
	e := newEnv(t, Config{})
	token := e.login("alice", "secret")
	c := e.dial(token, "") // never reads until dropped
	e.waitConns("alice", 1)

	big := TaskInput{Title: "big", Body: strings.Repeat("x", maxBody)}
	var last int64
	for e.connCount("alice") > 0 {
		// Socket buffers on loopback hold a few MiB; 8 KiB tasks fill
		// them and then the queue within a few thousand.
		if last > 20000 {
			t.Fatal("a client that never reads was never dropped")
		}
		last = e.publish("alice", big)
	}
	// Dropped, not closed politely: there is no room for a close frame.
	c.SetReadDeadline(time.Now().Add(waitLong))
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) && ce.Code != websocket.CloseAbnormalClosure {
				t.Fatalf("got close %d, want a dropped link", ce.Code)
			}
			break
		}
	}
	// It resumes where it wants.
	r := e.dial(token, fmt.Sprint("since=", last-1))
	if f := readFrame(t, r); f.ID != last {
		t.Fatalf("resumed at %d, want %d", f.ID, last)
	}
}

func TestDropConnectionsSendsNoCloseFrame(t *testing.T) {
	e := newEnv(t, Config{})
	token := e.login("alice", "secret")
	c := e.dial(token, "")
	e.waitConns("alice", 1)
	e.srv.DropConnections()

	_, err := tryReadFrame(c, waitLong)
	var ce *websocket.CloseError
	if err == nil || (errors.As(err, &ce) && ce.Code != websocket.CloseAbnormalClosure) {
		t.Fatalf("got %v, want the link cut without a close frame", err)
	}
	e.waitConns("alice", 0)
	e.publish("alice", TaskInput{Title: "missed"})
	r := e.dial(token, "since=0")
	if f := readFrame(t, r); f.Title != "missed" {
		t.Fatalf("after the drop: %+v", f)
	}
}

func TestCloseEndsSocketsAndGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	srv, err := New(Config{Users: map[string]string{"alice": testHash(t, "secret")}, BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	e := &env{t, srv, ts}
	token := e.login("alice", "secret")
	c1, c2 := e.dial(token, ""), e.dial(token, "since=0")
	e.waitConns("alice", 2)

	srv.Close()
	expectClose(t, c1, websocket.CloseGoingAway, "server shutting down")
	expectClose(t, c2, websocket.CloseGoingAway, "server shutting down")
	if e.connCount("alice") != 0 {
		t.Error("sockets still subscribed after Close")
	}
	_, resp, err := e.dialErr(token, "")
	if err == nil || resp.StatusCode != 503 {
		t.Fatalf("dial after Close: %v", err)
	}
	resp.Body.Close()
	c1.Close()
	c2.Close()
	srv.Close() // twice is fine
}

func TestRunDemo(t *testing.T) {
	e := newEnv(t, Config{})
	c := e.dial(e.login("alice", "secret"), "")
	e.waitConns("alice", 1)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.srv.RunDemo(ctx, "alice", 5*time.Millisecond)
	}()
	titles := map[string]bool{}
	for i := range int64(len(demoTasks)) {
		f := readFrame(t, c)
		if f.ID != i+1 || f.Title == "" || f.Priority < priorityMin || f.Priority > priorityMax {
			t.Errorf("demo frame %+v", f)
		}
		titles[f.Title] = true
	}
	cancel()
	<-done
	if len(titles) != len(demoTasks) {
		t.Errorf("%d distinct titles in %d tasks", len(titles), len(demoTasks))
	}
	for _, in := range demoTasks {
		if _, err := in.normalize(); err != nil {
			t.Errorf("demo task %q: %v", in.Title, err)
		}
	}
}

func TestResumeFromAnotherEpochReplaysAll(t *testing.T) {
	e := newEnv(t, Config{Epoch: "current"})
	token := e.login("alice", "secret")
	for range 3 {
		e.publish("alice", TaskInput{Title: "t"})
	}
	// since=2 of this epoch: only id 3. since=2 of a gone epoch: all of them.
	same := e.dial(token, "since=2&epoch=current")
	if f := readFrame(t, same); f.ID != 3 {
		t.Fatalf("same epoch replayed id %d first, want 3", f.ID)
	}
	other := e.dial(token, "since=2&epoch=gone")
	for want := int64(1); want <= 3; want++ {
		if f := readFrame(t, other); f.ID != want {
			t.Fatalf("other epoch replayed id %d, want %d", f.ID, want)
		}
	}
}

// TestNoTaskLostBetweenHandshakeAndSubscribe publishes a task at the moment
// the 101 has been written: the client already counts the link as up, so
// that task must reach it (defect 1: it fell between the upgrade and the
// subscription).
func TestNoTaskLostBetweenHandshakeAndSubscribe(t *testing.T) {
	e := newEnv(t, Config{})
	token := e.login("alice", "secret")
	var once sync.Once
	e.srv.afterUpgrade = func() {
		once.Do(func() { e.publish("alice", TaskInput{Title: "in the window"}) })
	}
	c := e.dial(token, "")
	if f := readFrame(t, c); f.ID != 1 || f.Title != "in the window" {
		t.Fatalf("got %+v, want task 1 published right after the 101", f)
	}
}

// readHelloFrame reads the first frame of a link as a hello.
func readHelloFrame(t *testing.T, c *websocket.Conn) helloFrame {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(waitLong))
	defer c.SetReadDeadline(time.Time{})
	_, data, err := c.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	var h helloFrame
	if err := json.Unmarshal(data, &h); err != nil || h.Type != "hello" {
		t.Fatalf("first frame %s is not a hello", data)
	}
	return h
}

// dialRaw opens /ws without reading the hello.
func (e *env) dialRaw(token, query string) *websocket.Conn {
	e.t.Helper()
	u := "ws" + strings.TrimPrefix(e.ts.URL, "http") + "/ws"
	if query != "" {
		u += "?" + query
	}
	c, _, err := websocket.DefaultDialer.Dial(u, http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close() })
	return c
}

// TestHelloNamesWhereHistoryStandsAndTheGap (defects 1 and 13): the hello
// names the newest and the oldest kept id, and a resume from before the
// oldest kept task says what is gone and since when, then replays all that
// is kept.
func TestHelloNamesWhereHistoryStandsAndTheGap(t *testing.T) {
	e := newEnv(t, Config{HistorySize: 3, Epoch: "now"})
	token := e.login("alice", "secret")
	if h := readHelloFrame(t, e.dialRaw(token, "")); h.LastID != 0 || h.OldestID != 0 || h.Gap != nil {
		t.Fatalf("empty history: hello %+v", h)
	}
	for range 10 {
		e.publish("alice", TaskInput{Title: "t"})
	}
	e.srv.mu.Lock()
	oldestTime := e.srv.users["alice"].history.ring[e.srv.users["alice"].history.start].time
	e.srv.mu.Unlock()
	for _, tc := range []struct {
		query  string
		gap    *gapInfo
		replay []int64
	}{
		{"", nil, nil},
		{"since=10&epoch=now", nil, nil},
		{"since=7&epoch=now", nil, []int64{8, 9, 10}},
		{"since=6&epoch=now", &gapInfo{After: 6, Before: 8, BeforeTime: oldestTime}, []int64{8, 9, 10}},
		{"since=0", &gapInfo{After: 0, Before: 8, BeforeTime: oldestTime}, []int64{8, 9, 10}},
		{"since=9&epoch=gone", &gapInfo{After: 0, Before: 8, BeforeTime: oldestTime}, []int64{8, 9, 10}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			c := e.dialRaw(token, tc.query)
			h := readHelloFrame(t, c)
			if h.LastID != 10 || h.OldestID != 8 || h.Epoch != "now" {
				t.Fatalf("hello %+v: want last_id 10, oldest_id 8", h)
			}
			if fmt.Sprint(h.Gap) != fmt.Sprint(tc.gap) {
				t.Fatalf("gap %+v, want %+v", h.Gap, tc.gap)
			}
			var got []int64
			for range tc.replay {
				got = append(got, readFrame(t, c).ID)
			}
			if !slices.Equal(got, tc.replay) {
				t.Fatalf("replayed %v, want %v", got, tc.replay)
			}
		})
	}
}

// TestLoginNamesWhereHistoryStands (defect 1): the login answer says where
// the user's history stands, so the client can resume from there before
// its first link.
func TestLoginNamesWhereHistoryStands(t *testing.T) {
	e := newEnv(t, Config{Epoch: "e1"})
	e.publish("alice", TaskInput{Title: "before"})
	e.publish("alice", TaskInput{Title: "before"})
	_, body := e.request("POST", "/api/login", `{"username":"alice","password":"secret"}`)
	var r struct {
		LastID *int64 `json:"last_id"`
		Epoch  string `json:"epoch"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.LastID == nil || *r.LastID != 2 || r.Epoch != "e1" {
		t.Fatalf("login answered %s: want last_id 2 and epoch e1", body)
	}
	_, body = e.request("POST", "/api/login", `{"username":"bob","password":"hunter2"}`)
	if err := json.Unmarshal(body, &r); err != nil || r.LastID == nil || *r.LastID != 0 {
		t.Fatalf("login answered %s: want last_id 0", body)
	}
}
