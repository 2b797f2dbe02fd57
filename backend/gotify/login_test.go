package gotify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"

	"tasktray/auth"
	"tasktray/conn"
)

const (
	testPassword = "correct-horse-battery"
	testToken    = "CtestTokenXYZ12"
)

// fakeGotify answers the API calls tasktray makes the way Gotify v2.9.1 did
// on this machine (bodies copied from its answers), holding messages 1..n.
// It is for unit tests; the realservers tests run the real server.
type fakeGotify struct {
	*httptest.Server

	mu       sync.Mutex
	n        int64          // messages 1..n exist, but for those in gone
	gone     map[int64]bool // ids of other users' or deleted messages
	requests []string       // method, path and query of each request
	clients  []int64        // ids of live clients; the first one is testToken's
	listed   chan struct{}  // a GET /message was answered (capacity 1)
	// stream serves a /stream WebSocket until it returns; nil refuses.
	stream func(*websocket.Conn)
}

const gotifyUnauthorized = `{"error":"Unauthorized","errorCode":401,"errorDescription":"you need to provide a valid access token or user credentials to access this api"}`

func newFakeGotify(t *testing.T, n int64) *fakeGotify {
	f := &fakeGotify{n: n, clients: []int64{7}, listed: make(chan struct{}, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"version":"2.9.1","commit":"unknown","buildDate":"unknown"}`))
	})
	mux.HandleFunc("POST /client", func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		if user != "alice" || pass != testPassword {
			unauthorized(w)
			return
		}
		var body struct{ Name string }
		if json.NewDecoder(r.Body).Decode(&body) != nil || !strings.HasPrefix(body.Name, "tasktray") {
			t.Errorf("POST /client body: name %q", body.Name)
		}
		fmt.Fprintf(w, `{"id":7,"token":%q,"name":%q,"lastUsed":null}`, testToken, body.Name)
	})
	mux.HandleFunc("GET /client", f.authed(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		list := []map[string]any{{"id": 3, "token": "Cother", "name": "phone"}}
		for _, id := range f.clients {
			list = append(list, map[string]any{"id": id, "token": testToken, "name": "tasktray on box"})
		}
		json.NewEncoder(w).Encode(list)
	}))
	mux.HandleFunc("DELETE /client/{id}", f.authed(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if r.PathValue("id") != "7" {
			t.Errorf("deleted client %s, want 7", r.PathValue("id"))
		}
		f.clients = nil
	}))
	mux.HandleFunc("GET /message", f.authed(f.messages))
	mux.HandleFunc("GET /stream", f.authed(func(w http.ResponseWriter, r *http.Request) {
		if f.stream == nil {
			http.NotFound(w, r)
			return
		}
		up := websocket.Upgrader{}
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		f.stream(ws)
	}))
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func unauthorized(w http.ResponseWriter) {
	w.WriteHeader(http.StatusUnauthorized)
	w.Write([]byte(gotifyUnauthorized))
}

func (f *fakeGotify) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, pass, basic := r.BasicAuth()
		f.mu.Lock()
		ok := r.Header.Get("X-Gotify-Key") == testToken && len(f.clients) > 0 ||
			basic && user == "alice" && pass == testPassword
		f.mu.Unlock()
		if !ok {
			unauthorized(w)
			return
		}
		h(w, r)
	}
}

// messages pages like Gotify v2.9.1 (api/message.go): newest first,
// since=ID lists ids below ID, and paging.next and paging.since (the last
// id of the page) only when more are left.
func (f *fakeGotify) messages(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.ParseInt(r.URL.Query().Get("limit"), 10, 64)
	f.mu.Lock()
	defer f.mu.Unlock()
	top := f.n
	if s := r.URL.Query().Get("since"); s != "" {
		since, _ := strconv.ParseInt(s, 10, 64)
		top = min(top, since-1)
	}
	var ids []int64
	for id := top; id >= 1 && int64(len(ids)) <= limit; id-- {
		if !f.gone[id] {
			ids = append(ids, id)
		}
	}
	next, since := "", int64(0)
	if int64(len(ids)) > limit {
		ids = ids[:limit]
		since = ids[len(ids)-1]
		next = fmt.Sprintf(`"next":"http://%s/message?limit=%d\u0026since=%d",`, r.Host, limit, since)
	}
	msgs := make([]string, len(ids))
	for i, id := range ids {
		msgs[i] = fmt.Sprintf(`{"id":%d,"appid":1,"message":"m%d","title":"t%d","priority":5,"date":"2026-11-29T22:10:46.1Z"}`, id, id, id)
	}
	fmt.Fprintf(w, `{"paging":{%s"size":%d,"since":%d,"limit":%d},"messages":[%s]}`, next, len(msgs), since, limit, strings.Join(msgs, ","))
	select {
	case f.listed <- struct{}{}:
	default:
	}
}

func (f *fakeGotify) account() auth.Account {
	return auth.Account{Kind: "gotify", Server: f.URL, Username: "alice"}
}

func TestLogin(t *testing.T) {
	f := newFakeGotify(t, 0)
	s, err := Authenticator{}.Login(context.Background(), auth.Credentials{Account: f.account(), Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	if s.Token != testToken || s.Server != f.URL || !s.ExpiresAt.IsZero() {
		t.Errorf("session %+v", s)
	}

	_, err = Authenticator{}.Login(context.Background(), auth.Credentials{Account: f.account(), Password: "wrong-" + testPassword})
	if !errors.Is(err, auth.ErrBadCredentials) || strings.Contains(err.Error(), testPassword) {
		t.Errorf("wrong password: %v", err)
	}
}

func TestLoginNotGotify(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>hello</html>"))
	}))
	defer srv.Close()
	_, err := Authenticator{}.Login(context.Background(), auth.Credentials{
		Account: auth.Account{Server: srv.URL, Username: "alice"}, Password: testPassword})
	if !errors.Is(err, auth.ErrNotServer) {
		t.Errorf("got %v, want ErrNotServer", err)
	}
}

func TestLogout(t *testing.T) {
	f := newFakeGotify(t, 0)
	s := auth.Session{Account: f.account(), Token: testToken}
	if err := (Authenticator{}).Logout(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	// Once revoked, the token is refused (401): logging out again is fine.
	if err := (Authenticator{}).Logout(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	want := []string{"GET /client", "DELETE /client/7", "GET /client"}
	if got := strings.Join(f.requests, "; "); got != strings.Join(want, "; ") {
		t.Errorf("requests %s, want %s", got, strings.Join(want, "; "))
	}
}

func backfill(t *testing.T, f *fakeGotify, resume string) (conn.Decoded, error) {
	t.Helper()
	p, err := New(f.account())
	if err != nil {
		t.Fatal(err)
	}
	return p.NewSession(testToken, resume).Backfill(context.Background(), resume)
}

// Login records where the history stands, so that a task published
// between the login and the first link is fetched (defect 1).
func TestLoginSetsResume(t *testing.T) {
	for _, n := range []int64{42, 0} {
		f := newFakeGotify(t, n)
		s, err := Authenticator{}.Login(context.Background(), auth.Credentials{Account: f.account(), Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		if want := strconv.FormatInt(n, 10); s.Resume != want {
			t.Errorf("%d messages: Resume %q, want %q", n, s.Resume, want)
		}
		// Asked before the client is made, so a failure leaves no client behind.
		want := []string{"GET /version", "GET /message?limit=1", "POST /client"}
		if got := strings.Join(f.requests, "; "); got != strings.Join(want, "; ") {
			t.Errorf("requests %s, want %s", got, strings.Join(want, "; "))
		}
	}
}

func TestBackfill(t *testing.T) {
	tests := []struct {
		name     string
		n        int64
		resume   string
		first    int64 // first id fetched, 0 for none
		requests []string
	}{
		{"up to date", 250, "250", 0, []string{"GET /message?limit=200"}},
		{"two pages", 250, "5", 6, []string{"GET /message?limit=200", "GET /message?limit=200&since=51"}},
		{"stops at the resume page", 250, "120", 121, []string{"GET /message?limit=200"}},
		{"from before the first message", 3, "0", 1, []string{"GET /message?limit=200"}},
		{"the whole gap, however long", 2500, "1", 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGotify(t, tt.n)
			d, err := backfill(t, f, tt.resume)
			if err != nil {
				t.Fatal(err)
			}
			want := int64(0)
			if tt.first > 0 {
				want = tt.n - tt.first + 1
			}
			if int64(len(d.Tasks)) != want || d.Gap != nil {
				t.Fatalf("%d tasks and gap %+v, want %d tasks and no gap", len(d.Tasks), d.Gap, want)
			}
			for i, task := range d.Tasks {
				id := strconv.FormatInt(tt.first+int64(i), 10)
				if task.ID != id || task.Resume != id || task.Title != "t"+id {
					t.Fatalf("task %d = %+v, want id %s oldest first", i, task, id)
				}
			}
			if tt.requests != nil && strings.Join(f.requests, "; ") != strings.Join(tt.requests, "; ") {
				t.Errorf("requests %v, want %v", f.requests, tt.requests)
			}
		})
	}
}

// Without a resume point (a damaged cursor) nothing tells what was missed:
// the backfill returns where the history stands now, to be kept, and says
// that earlier tasks could not be determined.
func TestBackfillWithoutResumePoint(t *testing.T) {
	for _, resume := range []string{"", "epoch:3", "-4"} {
		f := newFakeGotify(t, 250)
		d, err := backfill(t, f, resume)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Tasks) != 0 || d.Resume != "250" || d.Gap == nil || d.Gap.Reason == "" || d.Gap.Before.IsZero() {
			t.Errorf("resume %q: got %d tasks, Resume %q, gap %+v; want none, 250 and a gap", resume, len(d.Tasks), d.Resume, d.Gap)
		}
		if want := "GET /message?limit=1"; strings.Join(f.requests, "; ") != want {
			t.Errorf("requests %v, want %s", f.requests, want)
		}
	}
	// A server without messages: nothing can have been missed.
	d, err := backfill(t, newFakeGotify(t, 0), "")
	if err != nil || d.Resume != "0" || d.Gap != nil || len(d.Tasks) != 0 {
		t.Errorf("empty server: %+v, %v; want Resume 0 and no gap", d, err)
	}
}

// Ids missing from the listing belong to other users (or were deleted):
// the listing is complete, so each task's resume point is its own id.
func TestBackfillHoles(t *testing.T) {
	f := newFakeGotify(t, 10)
	f.gone = map[int64]bool{6: true, 8: true}
	d, err := backfill(t, f, "4")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, task := range d.Tasks {
		got = append(got, task.ID+"@"+task.Resume)
	}
	if want := "5@5 7@7 9@9 10@10"; strings.Join(got, " ") != want {
		t.Errorf("got %s, want %s", strings.Join(got, " "), want)
	}
}

func TestBackfillRefusedToken(t *testing.T) {
	f := newFakeGotify(t, 3)
	f.mu.Lock()
	f.clients = nil // revoked
	f.mu.Unlock()
	_, err := backfill(t, f, "1")
	if !errors.Is(err, conn.ErrUnauthorized) || strings.Contains(err.Error(), testToken) {
		t.Errorf("got %v, want ErrUnauthorized without the token", err)
	}
}

func TestBackfillPagingStuck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"paging":{"next":"x","size":1,"since":9,"limit":200},"messages":[{"id":9}]}`))
	}))
	defer srv.Close()
	p, err := New(auth.Account{Server: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.NewSession(testToken, "1").Backfill(context.Background(), "1"); !errors.Is(err, ErrMalformed) {
		t.Errorf("got %v, want ErrMalformed", err)
	}
}

func TestHandshake(t *testing.T) {
	p, err := New(auth.Account{Server: "https://push.example.com/gotify/"})
	if err != nil {
		t.Fatal(err)
	}
	u, h, err := p.Handshake(testToken, "42")
	if err != nil {
		t.Fatal(err)
	}
	if u != "wss://push.example.com/gotify/stream" || h.Get("X-Gotify-Key") != testToken {
		t.Errorf("Handshake = %s, %v", u, h)
	}
	if _, err := New(auth.Account{Server: "http://push.example.com"}); !errors.Is(err, auth.ErrInsecure) {
		t.Errorf("plain http to another host: %v, want ErrInsecure", err)
	}
	ka := p.Keepalive()
	if ka.PongWait != DefaultPongWait || ka.PingPeriod >= ka.PongWait || ka.TextHeartbeat != "" {
		t.Errorf("keepalive %+v", ka)
	}
}
