package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"
	"golang.org/x/crypto/bcrypt"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testHash hashes at the minimum cost: the default takes ~50 ms a login,
// far more under the race detector.
func testHash(t testing.TB, pw string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

const testKey = "pk-test"

// waitLong bounds a wait for something that must happen: a failure guard
// only, generous for -race on a loaded 2-core machine and under Wine.
const waitLong = 20 * time.Second

// env is a Server behind an httptest.Server, with users alice (password
// "secret") and bob ("hunter2") unless the Config names others.
type env struct {
	t   *testing.T
	srv *Server
	ts  *httptest.Server
}

func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	if cfg.Users == nil {
		cfg.Users = map[string]string{"alice": testHash(t, "secret"), "bob": testHash(t, "hunter2")}
	}
	if cfg.PublisherKey == "" {
		cfg.PublisherKey = testKey
	}
	cfg.BcryptCost = bcrypt.MinCost
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	// Close the Server first: httptest does not wait for hijacked
	// connections, the Server does.
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
	})
	return &env{t, srv, ts}
}

// request sends body (if not empty) and header pairs, and returns the status
// and the response body.
func (e *env) request(method, path, body string, header ...string) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, data
}

func (e *env) login(user, pw string) string {
	e.t.Helper()
	status, body := e.request("POST", "/api/login", `{"username":"`+user+`","password":"`+pw+`"}`)
	if status != http.StatusOK {
		e.t.Fatalf("login %s: %d %s", user, status, body)
	}
	var r struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Token == "" {
		e.t.Fatalf("login %s: %s (%v)", user, body, err)
	}
	return r.Token
}

// dialErr opens /ws with the token in the Authorization header (when not
// empty) and query as the raw query string.
func (e *env) dialErr(token, query string) (*websocket.Conn, *http.Response, error) {
	u := "ws" + strings.TrimPrefix(e.ts.URL, "http") + "/ws"
	if query != "" {
		u += "?" + query
	}
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	c, resp, err := websocket.DefaultDialer.Dial(u, h)
	if c != nil {
		e.t.Cleanup(func() { c.Close() })
		if err := readHello(c); err != nil {
			return nil, resp, err
		}
	}
	return c, resp, err
}

// readHello reads the hello frame every link starts with.
func readHello(c *websocket.Conn) error {
	c.SetReadDeadline(time.Now().Add(waitLong))
	defer c.SetReadDeadline(time.Time{})
	_, data, err := c.ReadMessage()
	if err != nil {
		return fmt.Errorf("reading hello: %w", err)
	}
	var h struct{ Type, Epoch string }
	if json.Unmarshal(data, &h) != nil || h.Type != "hello" || h.Epoch == "" {
		return fmt.Errorf("first frame %s is not a hello with an epoch", data)
	}
	return nil
}

func (e *env) dial(token, query string) *websocket.Conn {
	e.t.Helper()
	c, _, err := e.dialErr(token, query)
	if err != nil {
		e.t.Fatalf("dial: %v", err)
	}
	return c
}

func (e *env) publish(user string, in TaskInput) int64 {
	e.t.Helper()
	ids, err := e.srv.Publish(user, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return ids[user]
}

// connCount is how many sockets of user are subscribed to live delivery.
func (e *env) connCount(user string) int {
	e.srv.mu.Lock()
	defer e.srv.mu.Unlock()
	return len(e.srv.users[user].conns)
}

// waitConns waits until user has n subscribed sockets (a socket is
// subscribed before its 101, and unsubscribed after it closed).
func (e *env) waitConns(user string, n int) {
	e.t.Helper()
	deadline := time.Now().Add(waitLong)
	for e.connCount(user) != n {
		if time.Now().After(deadline) {
			e.t.Fatalf("%s has %d sockets, want %d", user, e.connCount(user), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// readFrame reads one text frame and decodes it as a task.
func readFrame(t *testing.T, c *websocket.Conn) taskFrame {
	t.Helper()
	f, err := tryReadFrame(c, waitLong)
	if err != nil {
		t.Fatalf("read frame: %v", err)
	}
	return f
}

func tryReadFrame(c *websocket.Conn, wait time.Duration) (taskFrame, error) {
	c.SetReadDeadline(time.Now().Add(wait))
	kind, data, err := c.ReadMessage()
	if err != nil {
		return taskFrame{}, err
	}
	var f taskFrame
	if kind != websocket.TextMessage {
		return f, errors.New("not a text frame")
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return f, err
	}
	if f.Type != "task" {
		return f, errors.New("not a task frame: " + string(data))
	}
	return f, nil
}

// expectClose reads until the link ends and checks the close frame.
func expectClose(t *testing.T, c *websocket.Conn, code int, text string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(waitLong))
	for {
		_, _, err := c.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != code || ce.Text != text {
			t.Fatalf("link ended with %v, want close %d %q", err, code, text)
		}
		return
	}
}

// expectError checks an error response: its status and JSON body.
func expectError(t *testing.T, status int, body []byte, wantStatus int, wantCode string) {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("status %d, body %q is not JSON: %v", status, body, err)
	}
	if status != wantStatus || e.Error != wantCode || e.Message == "" {
		t.Fatalf("got %d %s, want %d with error %q and a message", status, body, wantStatus, wantCode)
	}
}

func TestHealth(t *testing.T) {
	e := newEnv(t, Config{})
	status, body := e.request("GET", "/api/health", "")
	if status != 200 || string(body) != `{"server":"tasktray","protocol":1}`+"\n" {
		t.Fatalf("got %d %s", status, body)
	}
}

func TestUnknownPathAndMethodAnswerJSON(t *testing.T) {
	e := newEnv(t, Config{})
	status, body := e.request("GET", "/api/nope", "")
	expectError(t, status, body, 404, "not_found")
	status, body = e.request("GET", "/api/login", "")
	expectError(t, status, body, 405, "method_not_allowed")
	status, body = e.request("DELETE", "/api/health", "")
	expectError(t, status, body, 405, "method_not_allowed")
}

func TestLogin(t *testing.T) {
	e := newEnv(t, Config{TokenTTL: time.Hour})

	status, body := e.request("POST", "/api/login", `{"username":"alice","password":"secret"}`)
	var ok struct {
		Token     string `json:"token"`
		ExpiresAt string `json:"expires_at"`
	}
	if err := json.Unmarshal(body, &ok); status != 200 || err != nil {
		t.Fatalf("got %d %s", status, body)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(ok.Token); err != nil || len(raw) != 32 {
		t.Errorf("token %q is not 32 bytes of base64url", ok.Token)
	}
	exp, err := time.Parse(time.RFC3339, ok.ExpiresAt)
	if err != nil || time.Until(exp) < 59*time.Minute || time.Until(exp) > time.Hour {
		t.Errorf("expires_at %q, want an RFC 3339 time an hour from now", ok.ExpiresAt)
	}
	if other := e.login("alice", "secret"); other == ok.Token {
		t.Error("two logins gave the same token")
	}

	for _, tc := range []struct{ name, body string }{
		{"wrong password", `{"username":"alice","password":"Secret"}`},
		{"unknown user", `{"username":"mallory","password":"secret"}`},
		{"other user's password", `{"username":"bob","password":"secret"}`},
	} {
		status, body := e.request("POST", "/api/login", tc.body)
		if status != 401 || string(body) != `{"error":"invalid_credentials","message":"wrong username or password"}`+"\n" {
			t.Errorf("%s: got %d %s", tc.name, status, body)
		}
	}

	for _, tc := range []struct{ name, body string }{
		{"empty", ""},
		{"not JSON", "username=alice&password=secret"},
		{"array", `["alice","secret"]`},
		{"trailing data", `{"username":"alice","password":"secret"}{}`},
		{"missing password", `{"username":"alice"}`},
		{"password not a string", `{"username":"alice","password":42}`},
	} {
		status, body := e.request("POST", "/api/login", tc.body)
		expectError(t, status, body, 400, "bad_request")
		if bytes.Contains(body, []byte("secret")) {
			t.Errorf("%s: error echoes the password: %s", tc.name, body)
		}
	}

	status, body = e.request("POST", "/api/login", `{"username":"alice","password":"`+strings.Repeat("x", 5000)+`"}`)
	expectError(t, status, body, 413, "too_large")
}

func TestAddUser(t *testing.T) {
	e := newEnv(t, Config{})
	if err := e.srv.AddUser("carol", "pw"); err != nil {
		t.Fatal(err)
	}
	e.login("carol", "pw")
	for _, name := range []string{"carol", "", "*", "a:b", " dave", "eve\n"} {
		if err := e.srv.AddUser(name, "pw"); err == nil {
			t.Errorf("AddUser(%q) succeeded", name)
		}
	}
	if err := e.srv.AddUser("frank", ""); err == nil {
		t.Error("AddUser with an empty password succeeded")
	}
}

func TestNewChecksConfig(t *testing.T) {
	good := testHash(t, "pw")
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"ping not below pong wait", Config{PingPeriod: time.Minute, PongWait: time.Minute}},
		{"negative pong wait", Config{PongWait: -time.Second}},
		{"PongWait of 1ns leaves no PingPeriod", Config{PongWait: 1}},
		{"negative history", Config{HistorySize: -1}},
		{"negative TTL", Config{TokenTTL: -time.Second}},
		{"not a bcrypt hash", Config{Users: map[string]string{"alice": "secret"}}},
		{"reserved name", Config{Users: map[string]string{"*": good}}},
		{"name with colon", Config{Users: map[string]string{"a:b": good}}},
		{"bcrypt cost too high", Config{BcryptCost: 99}},
	} {
		if _, err := New(tc.cfg); err == nil {
			t.Errorf("%s: New accepted %+v", tc.name, tc.cfg)
		}
	}

	for _, tc := range []struct{ ping, pong, wantPing, wantPong time.Duration }{
		{0, 0, 30 * time.Second, time.Minute},
		{0, 10 * time.Second, 5 * time.Second, 10 * time.Second},
		{time.Second, 0, time.Second, 2 * time.Second},
	} {
		s, err := New(Config{PingPeriod: tc.ping, PongWait: tc.pong, BcryptCost: bcrypt.MinCost})
		if err != nil {
			t.Fatal(err)
		}
		if s.cfg.PingPeriod != tc.wantPing || s.cfg.PongWait != tc.wantPong {
			t.Errorf("ping %s, pong wait %s gave %s, %s", tc.ping, tc.pong, s.cfg.PingPeriod, s.cfg.PongWait)
		}
	}
}

func TestHashPassword(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes at the default bcrypt cost")
	}
	h, err := HashPassword("secret")
	if err != nil {
		t.Fatal(err)
	}
	if cost, err := bcrypt.Cost([]byte(h)); err != nil || cost != bcrypt.DefaultCost {
		t.Fatalf("cost %d, %v", cost, err)
	}
	if bcrypt.CompareHashAndPassword([]byte(h), []byte("secret")) != nil {
		t.Fatal("hash does not match its password")
	}
}

func TestPublishOverHTTP(t *testing.T) {
	e := newEnv(t, Config{})
	key := []string{"X-Publisher-Key", testKey}
	for _, tc := range []struct {
		name, body string
		header     []string
		status     int
		code       string
	}{
		{"no key", `{"user":"alice","title":"t"}`, nil, 401, "unauthorized"},
		{"wrong key", `{"user":"alice","title":"t"}`, []string{"X-Publisher-Key", "pk-tes"}, 401, "unauthorized"},
		{"key as bearer", `{"user":"alice","title":"t"}`, []string{"Authorization", "Bearer " + testKey}, 401, "unauthorized"},
		{"unknown user", `{"user":"mallory","title":"t"}`, key, 404, "unknown_user"},
		{"no user", `{"title":"t"}`, key, 400, "bad_request"},
		{"no title", `{"user":"alice","body":"b"}`, key, 400, "bad_request"},
		{"blank title", `{"user":"alice","title":" \t "}`, key, 400, "bad_request"},
		{"long title", `{"user":"alice","title":"` + strings.Repeat("x", maxTitle+1) + `"}`, key, 400, "bad_request"},
		{"long body", `{"user":"alice","title":"t","body":"` + strings.Repeat("x", maxBody+1) + `"}`, key, 400, "bad_request"},
		{"priority 0", `{"user":"alice","title":"t","priority":0}`, key, 400, "bad_request"},
		{"priority 6", `{"user":"alice","title":"t","priority":6}`, key, 400, "bad_request"},
		{"priority -1", `{"user":"alice","title":"t","priority":-1}`, key, 400, "bad_request"},
		{"priority 2.5", `{"user":"alice","title":"t","priority":2.5}`, key, 400, "bad_request"},
		{"ftp url", `{"user":"alice","title":"t","url":"ftp://example.com/x"}`, key, 400, "bad_request"},
		{"javascript url", `{"user":"alice","title":"t","url":"javascript:alert(1)"}`, key, 400, "bad_request"},
		{"relative url", `{"user":"alice","title":"t","url":"/tasks/1"}`, key, 400, "bad_request"},
		{"not JSON", `user=alice&title=t`, key, 400, "bad_request"},
		{"too large", `{"user":"alice","title":"` + strings.Repeat("x", maxPublishBody) + `"}`, key, 413, "too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.request("POST", "/api/tasks", tc.body, tc.header...)
			expectError(t, status, body, tc.status, tc.code)
		})
	}
	if got := e.publish("alice", TaskInput{Title: "probe"}); got != 1 {
		t.Fatalf("refused publishes used ids: the next one got %d, want 1", got)
	}

	status, body := e.request("POST", "/api/tasks", `{"user":"alice","title":"Deploy","url":"HTTPS://example.com/d"}`, key...)
	if status != 201 || string(body) != `{"ids":{"alice":2}}`+"\n" {
		t.Fatalf("got %d %s", status, body)
	}
}

func TestPublishWithoutKeyConfigured(t *testing.T) {
	srv, err := New(Config{Users: map[string]string{"alice": testHash(t, "secret")}, BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, key := range []string{"", "x"} {
		req := httptest.NewRequest("POST", "/api/tasks", strings.NewReader(`{"user":"alice","title":"t"}`))
		req.Header.Set("X-Publisher-Key", key)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		expectError(t, rec.Code, rec.Body.Bytes(), 401, "unauthorized")
	}
	if _, err := srv.Publish("alice", TaskInput{Title: "t"}); err != nil {
		t.Fatalf("in-process Publish without a key: %v", err)
	}
}

func TestPublishRejectsBadInput(t *testing.T) {
	e := newEnv(t, Config{})
	if _, err := e.srv.Publish("mallory", TaskInput{Title: "t"}); !errors.Is(err, ErrUnknownUser) {
		t.Errorf("unknown user: %v", err)
	}
	for _, in := range []TaskInput{{}, {Title: "t", Priority: 6}, {Title: "t", URL: "file:///etc/passwd"}} {
		if _, err := e.srv.Publish("alice", in); !errors.Is(err, ErrInvalidTask) {
			t.Errorf("%+v: %v", in, err)
		}
	}
}

// lockedBuffer is a log sink that the race detector accepts.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestLogsHoldNoSecret(t *testing.T) {
	var logs lockedBuffer
	e := newEnv(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	token := e.login("alice", "secret")
	e.request("POST", "/api/login", `{"username":"alice","password":"wrong-pw"}`)
	c := e.dial("", "token="+url.QueryEscape(token)+"&since=0")
	e.waitConns("alice", 1)
	e.request("POST", "/api/tasks", `{"user":"alice","title":"t"}`, "X-Publisher-Key", testKey)
	readFrame(t, c)
	e.request("POST", "/api/logout", "", "Authorization", "Bearer "+token)
	expectClose(t, c, codeUnauthorized, "unauthorized")
	e.srv.Close() // waits for the socket's last log line

	out := logs.String()
	for _, secret := range []string{token, "secret", "wrong-pw", testKey, "token="} {
		if strings.Contains(out, secret) {
			t.Errorf("logs hold %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"path=/ws", "user=alice", "websocket closed"} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %q:\n%s", want, out)
		}
	}
}
