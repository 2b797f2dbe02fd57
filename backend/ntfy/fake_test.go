package ntfy_test

// fakeNtfy stands in for a real ntfy v2.13.0 server, which cannot be built
// here (the Go module proxy refuses its module host, and no Debian package
// carries it). It reproduces byte for byte what the real server sent on
// this kind of machine (/work/shared/SERVERS.md) and what its source does:
//
//   - frames are ntfy's message struct, fields in its order with its
//     omitempty rules, written with WriteJSON (so HTML-escaped, newline
//     at the end): first "open", then the cached messages the since=
//     parameter asks for (sorted by time), then live ones; the link is
//     subscribed before the cache is read, as in ntfy's handleSubscribeWS;
//   - since= takes a message id (an unknown one replays the whole cache),
//     a unix time or "all"; anything else is 400;
//   - keepalive is a WebSocket ping every keepalive period; a link without
//     a pong for keepalive + 15 s is dropped;
//   - HTTP errors are {"code":40101,"http":401,"error":"unauthorized",...}
//     and a newline, as ntfy's errHTTP.JSON writes them; a refused /ws
//     handshake answers the status only, with no body (ntfy PR #1338, in
//     v2.12 and later);
//   - POST /v1/account/token, DELETE /v1/account/token, GET /v1/health and
//     GET /<topic>/json?poll=1 answer as ntfy's handlers do.
//
// Hooks make it misbehave: dropAll cuts every link without a close frame,
// stall turns the current links into black holes, forget removes a message
// from the cache (as if it expired), stop and start take the whole server
// down and up on the same port with its cache kept (a cache-file).

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// ntfyMessage is ntfy's message struct as v2.13.0 serializes it.
type ntfyMessage struct {
	ID       string   `json:"id"`
	Time     int64    `json:"time"`
	Expires  int64    `json:"expires,omitempty"`
	Event    string   `json:"event"`
	Topic    string   `json:"topic"`
	Title    string   `json:"title,omitempty"`
	Message  string   `json:"message,omitempty"`
	Priority int      `json:"priority,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Click    string   `json:"click,omitempty"`

	row int64 // the cache's row id, which since=<id> compares
}

// The error bodies of ntfy's errHTTP values, as written (JSON + "\n").
const (
	errUnauthorized = `{"code":40101,"http":401,"error":"unauthorized","link":"https://ntfy.sh/docs/publish/#authentication"}` + "\n"
	errForbidden    = `{"code":40301,"http":403,"error":"forbidden","link":"https://ntfy.sh/docs/publish/#authentication"}` + "\n"
	errSinceInvalid = `{"code":40008,"http":400,"error":"invalid since parameter","link":"https://ntfy.sh/docs/subscribe/api/#fetch-cached-messages"}` + "\n"
	wsPongWait      = 15 * time.Second // ntfy's wsPongWait
)

var validMessageID = regexp.MustCompile(`^[A-Za-z0-9]{12}$`)

type fakeNtfy struct {
	t         *testing.T
	addr      string
	keepalive time.Duration

	mu       sync.Mutex
	srv      *http.Server
	users    map[string]string // name -> password
	readable map[string]bool   // topics the users may read
	tokens   map[string]bool
	cache    []*ntfyMessage // oldest first
	nextRow  int64
	links    map[*fakeLink]bool
	sinces   []string // the since= of every subscribed /ws link
	replayed int      // cached messages sent on handshakes
	ready    int      // links that have read the cache (and sent its replay)
	polls    []string // the since= of every GET /<topics>/json?poll=1
	// held, while holding, are published messages sent to the links but
	// not cached yet (holdCache).
	holding bool
	held    []*ntfyMessage
	// ahead is how many seconds ahead of the clock publish dates messages.
	ahead int64
	// refuse answers the next handshakes with these statuses, in order.
	refuse []int
	wg     sync.WaitGroup
}

type fakeLink struct {
	ws      *websocket.Conn
	topics  []string
	wmu     sync.Mutex // one writer at a time, as ntfy's wlock
	stalled bool       // guarded by wmu: writes nothing
}

// newFakeNtfy starts a fake with user alice (password alicePass), who may
// read the given topics.
func newFakeNtfy(t *testing.T, keepalive time.Duration, readable ...string) *fakeNtfy {
	f := &fakeNtfy{
		t: t, keepalive: keepalive,
		users:    map[string]string{alice: alicePass},
		readable: map[string]bool{},
		tokens:   map[string]bool{},
		links:    map[*fakeLink]bool{},
	}
	for _, topic := range readable {
		f.readable[topic] = true
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = l.Addr().String()
	f.serve(l)
	t.Cleanup(func() { f.stop(); f.wg.Wait() })
	return f
}

// URL is the server's base URL.
func (f *fakeNtfy) URL() string { return "http://" + f.addr }

func (f *fakeNtfy) serve(l net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(f.handle)}
	f.mu.Lock()
	f.srv = srv
	f.mu.Unlock()
	f.wg.Add(1)
	go func() { defer f.wg.Done(); srv.Serve(l) }()
}

// stop takes the server down: the listener closes and every link drops.
func (f *fakeNtfy) stop() {
	f.mu.Lock()
	srv := f.srv
	f.srv = nil
	f.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
	f.dropAll()
}

// start brings a stopped server back on the same port, cache and tokens
// kept.
func (f *fakeNtfy) start() {
	// While the server was down, any process's connection may have been
	// handed the port as its own: wait for it (a longer outage, which the
	// client rides out like any other) rather than fail.
	deadline := time.Now().Add(waitLong)
	for {
		l, err := net.Listen("tcp", f.addr)
		if err == nil {
			f.serve(l)
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("listening again on %s: %v", f.addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// dropAll closes every link's TCP connection without a close frame.
func (f *fakeNtfy) dropAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for l := range f.links {
		l.ws.NetConn().Close()
	}
}

// stall makes every current link a black hole: no frame, no ping.
func (f *fakeNtfy) stall() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for l := range f.links {
		l.wmu.Lock()
		l.stalled = true
		l.wmu.Unlock()
	}
}

// forget removes message id from the cache, as expiry would.
func (f *fakeNtfy) forget(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cache = slices.DeleteFunc(f.cache, func(m *ntfyMessage) bool { return m.ID == id })
}

// holdCache makes publish send messages to the current links but keep them
// out of the cache until releaseCache, as a real ntfy does for an instant
// (it sends to the topic's subscribers first, then writes the cache): a
// link that subscribes and reads the cache in between gets neither.
func (f *fakeNtfy) holdCache() { f.mu.Lock(); f.holding = true; f.mu.Unlock() }

// releaseCache writes the held messages to the cache.
func (f *fakeNtfy) releaseCache() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.holding = false
	f.cache = append(f.cache, f.held...)
	f.held = nil
}

// refuseNext answers the next WebSocket handshakes with these statuses
// (403 as a real ntfy sometimes does under concurrent requests from one IP).
func (f *fakeNtfy) refuseNext(statuses ...int) { f.mu.Lock(); f.refuse = statuses; f.mu.Unlock() }

// Ready counts the links that have read the cache and sent what it held.
func (f *fakeNtfy) Ready() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ready
}

// dateAhead makes publish date messages secs seconds ahead of the clock.
func (f *fakeNtfy) dateAhead(secs int64) { f.mu.Lock(); f.ahead = secs; f.mu.Unlock() }

// timeOf is the time of cached message id (0 if there is none).
func (f *fakeNtfy) timeOf(id string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.cache {
		if m.ID == id {
			return m.Time
		}
	}
	return 0
}

// Polls lists the since= of every poll request.
func (f *fakeNtfy) Polls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.polls)
}

// revokeAll forgets every token; denyAll takes read access away.
func (f *fakeNtfy) revokeAll() { f.mu.Lock(); clear(f.tokens); f.mu.Unlock() }
func (f *fakeNtfy) denyAll()   { f.mu.Lock(); clear(f.readable); f.mu.Unlock() }

func (f *fakeNtfy) tokenCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.tokens)
}

func (f *fakeNtfy) Sinces() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sinces)
}

func (f *fakeNtfy) Replayed() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.replayed
}

// publish stores a message as ntfy's handlePublish does and sends it to the
// topic's links; it returns the message id.
func (f *fakeNtfy) publish(topic, title, message string, priority int, tags ...string) string {
	f.mu.Lock()
	now := time.Now().Unix() + f.ahead
	f.nextRow++
	m := &ntfyMessage{
		ID: randomString(12), Time: now, Expires: now + 12*3600, Event: "message", Topic: topic,
		Title: title, Message: message, Priority: priority, Tags: tags, row: f.nextRow,
	}
	if f.holding {
		f.held = append(f.held, m)
	} else {
		f.cache = append(f.cache, m)
	}
	var to []*fakeLink
	for l := range f.links {
		if slices.Contains(l.topics, topic) {
			to = append(to, l)
		}
	}
	f.mu.Unlock()
	for _, l := range to {
		l.write(m)
	}
	return m.ID
}

func (l *fakeLink) write(m *ntfyMessage) {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.stalled {
		return
	}
	l.ws.SetWriteDeadline(time.Now().Add(2 * time.Second))
	l.ws.WriteJSON(m)
}

func (l *fakeLink) ping() error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if l.stalled {
		return nil
	}
	l.ws.SetWriteDeadline(time.Now().Add(2 * time.Second))
	return l.ws.WriteMessage(websocket.PingMessage, nil)
}

func randomString(n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return string(b)
}

// writeJSON answers as ntfy's writeJSON: JSON, a newline, CORS header.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	json.NewEncoder(w).Encode(v)
}

// writeError answers as ntfy's handleError: the JSON body for plain HTTP,
// the status alone for a WebSocket handshake.
func writeError(w http.ResponseWriter, r *http.Request, status int, body string) {
	if websocket.IsWebSocketUpgrade(r) {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// user authenticates r as ntfy's maybeAuthenticate does: basic auth or a
// bearer token; no header is an anonymous visitor (""), a wrong one 401.
func (f *fakeNtfy) user(r *http.Request) (name string, token string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", "", true
	}
	if u, p, isBasic := r.BasicAuth(); isBasic {
		return u, "", f.users[u] == p && p != ""
	}
	token, isBearer := strings.CutPrefix(h, "Bearer ")
	if isBearer && f.tokens[token] {
		return alice, token, true
	}
	return "", "", false
}

func (f *fakeNtfy) handle(w http.ResponseWriter, r *http.Request) {
	name, token, ok := f.user(r)
	if !ok {
		writeError(w, r, http.StatusUnauthorized, errUnauthorized)
		return
	}
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && path == "/v1/health":
		writeJSON(w, map[string]bool{"healthy": true})
	case path == "/v1/account/token" && (r.Method == http.MethodPost || r.Method == http.MethodDelete):
		f.handleToken(w, r, name, token)
	case r.Method == http.MethodGet && strings.HasSuffix(path, "/json"):
		topics := strings.TrimSuffix(strings.TrimPrefix(path, "/"), "/json")
		if f.mayRead(w, r, name, topics) {
			f.handlePoll(w, r, topics)
		}
	case r.Method == http.MethodGet && strings.HasSuffix(path, "/ws"):
		f.mu.Lock()
		var status int
		if len(f.refuse) > 0 {
			status, f.refuse = f.refuse[0], f.refuse[1:]
		}
		f.mu.Unlock()
		if status != 0 {
			writeError(w, r, status, errForbidden)
			return
		}
		topics := strings.TrimSuffix(strings.TrimPrefix(path, "/"), "/ws")
		if f.mayRead(w, r, name, topics) {
			f.handleWS(w, r, topics)
		}
	default:
		writeError(w, r, http.StatusNotFound, `{"code":40401,"http":404,"error":"page not found"}`+"\n")
	}
}

func (f *fakeNtfy) handleToken(w http.ResponseWriter, r *http.Request, name, token string) {
	if name == "" {
		writeError(w, r, http.StatusUnauthorized, errUnauthorized)
		return
	}
	if r.Method == http.MethodDelete {
		f.mu.Lock()
		delete(f.tokens, token)
		f.mu.Unlock()
		writeJSON(w, map[string]bool{"success": true})
		return
	}
	var req struct {
		Label   *string `json:"label"`
		Expires *int64  `json:"expires"`
	}
	// The app asks for a token that expires in a century, not "never" (0),
	// so that ntfy's pruning at 60 tokens keeps the newest (login.go).
	if json.NewDecoder(r.Body).Decode(&req) != nil || req.Label == nil || *req.Label != "tasktray" || req.Expires == nil ||
		*req.Expires < time.Now().AddDate(99, 0, 0).Unix() {
		f.t.Errorf("POST /v1/account/token: unexpected body")
	}
	var expires int64
	if req.Expires != nil {
		expires = *req.Expires
	}
	token = "tk_" + randomString(29)
	f.mu.Lock()
	f.tokens[token] = true
	f.mu.Unlock()
	// apiAccountTokenResponse of v2.13.0 (expires 0 would be left out).
	writeJSON(w, struct {
		Token      string `json:"token"`
		Label      string `json:"label,omitempty"`
		LastAccess int64  `json:"last_access,omitempty"`
		LastOrigin string `json:"last_origin,omitempty"`
		Expires    int64  `json:"expires,omitempty"`
	}{token, "tasktray", time.Now().Unix(), "127.0.0.1", expires})
}

// mayRead answers 403 unless the (authenticated) user may read every
// topic; anonymous visitors may read nothing here (auth-default-access
// deny-all).
func (f *fakeNtfy) mayRead(w http.ResponseWriter, r *http.Request, name, topics string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for t := range strings.SplitSeq(topics, ",") {
		if name == "" || !f.readable[t] {
			writeError(w, r, http.StatusForbidden, errForbidden)
			return false
		}
	}
	return true
}

func (f *fakeNtfy) handleWS(w http.ResponseWriter, r *http.Request, topicsStr string) {
	since := r.URL.Query().Get("since")
	if since != "" && since != "all" && since != "none" && !validMessageID.MatchString(since) {
		if _, err := strconv.ParseInt(since, 10, 64); err != nil {
			writeError(w, r, http.StatusBadRequest, errSinceInvalid)
			return
		}
	}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	l := &fakeLink{ws: ws, topics: strings.Split(topicsStr, ",")}
	// gorilla's default ping handler, except that a stalled link stays
	// silent: a black hole answers nothing.
	ws.SetPingHandler(func(data string) error {
		l.wmu.Lock()
		defer l.wmu.Unlock()
		if l.stalled {
			return nil
		}
		err := ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(2*time.Second))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})
	f.mu.Lock()
	f.links[l] = true
	f.sinces = append(f.sinces, since) // after the subscription, as ntfy subscribes before it reads the cache
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.links, l)
		f.mu.Unlock()
		ws.Close()
	}()

	now := time.Now().Unix()
	l.write(&ntfyMessage{ID: randomString(12), Time: now, Event: "open", Topic: topicsStr})
	replay := f.cached(l.topics, since)
	for _, m := range replay {
		l.write(m)
	}
	f.mu.Lock()
	f.replayed += len(replay)
	f.ready++
	f.mu.Unlock()

	done := make(chan struct{})
	go func() {
		defer close(done)
		pongWait := f.keepalive + wsPongWait
		ws.SetReadDeadline(time.Now().Add(pongWait))
		ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(pongWait)) })
		for {
			if _, _, err := ws.NextReader(); err != nil {
				return
			}
		}
	}()
	ticker := time.NewTicker(f.keepalive)
	defer ticker.Stop()
	for {
		select {
		case <-done:
			return
		case <-ticker.C:
			if err := l.ping(); err != nil {
				return
			}
		}
	}
}

// handlePoll answers GET /<topics>/json?poll=1[&since=...] as ntfy does:
// the cached messages since asks for (all of them without since), one JSON
// object a line. Only polls are supported.
func (f *fakeNtfy) handlePoll(w http.ResponseWriter, r *http.Request, topicsStr string) {
	q := r.URL.Query()
	if q.Get("poll") != "1" {
		f.t.Errorf("GET %s: the fake answers polls only", r.URL.Path)
		writeError(w, r, http.StatusBadRequest, errSinceInvalid)
		return
	}
	since := q.Get("since")
	if since != "" && since != "all" && since != "none" && since != "latest" && !validMessageID.MatchString(since) {
		if _, err := strconv.ParseInt(since, 10, 64); err != nil {
			writeError(w, r, http.StatusBadRequest, errSinceInvalid)
			return
		}
	}
	f.mu.Lock()
	f.polls = append(f.polls, since)
	f.mu.Unlock()
	if since == "" {
		since = "all"
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
	enc := json.NewEncoder(w)
	for _, m := range f.cached(strings.Split(topicsStr, ","), since) {
		enc.Encode(m)
	}
}

// cached returns what since asks for, as ntfy's message cache does.
func (f *fakeNtfy) cached(topics []string, since string) []*ntfyMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	if since == "" || since == "none" {
		return nil
	}
	keep := func(m *ntfyMessage) bool { return true }
	if since == "latest" {
		// ntfy: each topic's newest message (polls only), ORDER BY time
		// DESC, id DESC: the newest by date, then by row, which need not
		// be the last row.
		var out []*ntfyMessage
		for _, topic := range topics {
			var newest *ntfyMessage
			for _, m := range f.cache {
				if m.Topic == topic && (newest == nil || m.Time > newest.Time || m.Time == newest.Time && m.row > newest.row) {
					newest = m
				}
			}
			if newest != nil {
				out = append(out, newest)
			}
		}
		return out
	}
	if validMessageID.MatchString(since) {
		i := slices.IndexFunc(f.cache, func(m *ntfyMessage) bool { return m.ID == since })
		if i >= 0 { // an unknown id falls through to the whole cache
			row := f.cache[i].row
			keep = func(m *ntfyMessage) bool { return m.row > row }
		}
	} else if t, err := strconv.ParseInt(since, 10, 64); err == nil {
		keep = func(m *ntfyMessage) bool { return m.Time >= t }
	}
	var out []*ntfyMessage
	for _, m := range f.cache {
		if slices.Contains(topics, m.Topic) && keep(m) {
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time < out[j].Time })
	return out
}

// String describes the fake for failure messages.
func (f *fakeNtfy) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return fmt.Sprintf("fake ntfy at %s: %d cached, %d links, sinces %v", f.addr, len(f.cache), len(f.links), f.sinces)
}
