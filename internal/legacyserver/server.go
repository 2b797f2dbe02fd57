// Package legacyserver is a test backend that behaves like the browser-era
// company backends the custom server kind connects to (backend/custom): its
// own login with its own field names, a WebSocket that takes the token in
// one place only (the query, a path segment, a session cookie, or
// Sec-WebSocket-Protocol), a text heartbeat it expects and records, an idle
// close for a socket that sends none, pushes of {"msg": ...} without ids,
// plain text and JSON with nested fields, and a re-send of its last
// messages to every new socket.
//
// It does not own the custom kind or what its tests assert.
// cmd/legacyserver runs it standalone.
package legacyserver

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Mode says where the WebSocket takes the token; the other places are
// ignored, as such a backend would.
type Mode string

// The modes.
const (
	Query       Mode = "query"       // GET /websocket?token=T
	Path        Mode = "path"        // GET /websocket/T
	Cookie      Mode = "cookie"      // GET /ws with the SESSION cookie the form login set
	Subprotocol Mode = "subprotocol" // GET /ws with Sec-WebSocket-Protocol: T
)

// Defaults of Config.
const (
	DefaultIdleTimeout = 70 * time.Second
	DefaultHeartbeat   = "HeartBeat"
	DefaultReplay      = 5
)

// Config configures a Server; zero values take the defaults.
type Config struct {
	Mode               Mode
	Username, Password string // required
	// IdleTimeout closes a socket that sent no heartbeat for this long.
	// Pings are answered but do not count, as in such backends.
	IdleTimeout time.Duration
	Heartbeat   string // the text it expects
	// Echo is what it answers a heartbeat with; "" answers nothing.
	Echo string
	// Replay is how many of its last messages it re-sends to each new
	// socket; negative re-sends none.
	Replay int
	// MissedStatus, when not 0, is what the missed-messages API answers
	// instead of the messages (a backend in trouble).
	MissedStatus int
}

// Server is one running backend.
type Server struct {
	cfg Config

	mu         sync.Mutex
	tokens     map[string]bool
	history    []entry
	nextID     int
	conns      map[*websocket.Conn]struct{}
	heartbeats []time.Time
	accepted   int
	refused    int
	idleClosed int
	closed     bool           // Close was called: no new socket is kept
	sockets    sync.WaitGroup // the handlers of registered sockets
}

// entry is one pushed message; id is 0 for messages without one.
type entry struct {
	id    int
	frame string
}

// New returns a backend with cfg.
func New(cfg Config) *Server {
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.Heartbeat == "" {
		cfg.Heartbeat = DefaultHeartbeat
	}
	if cfg.Replay == 0 {
		cfg.Replay = DefaultReplay
	}
	return &Server{cfg: cfg, tokens: map[string]bool{}, conns: map[*websocket.Conn]struct{}{}}
}

// Handler serves the login, the WebSocket and the missed-messages API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth/login", s.jsonLogin)
	mux.HandleFunc("POST /login", s.formLogin)
	mux.HandleFunc("GET /api/messages/missed", s.missed)
	mux.HandleFunc("GET /api/messages/missed/{token}", s.missed)
	switch s.cfg.Mode {
	case Query:
		mux.HandleFunc("GET /websocket", func(w http.ResponseWriter, r *http.Request) {
			s.upgrade(w, r, r.URL.Query().Get("token"), nil)
		})
	case Path:
		mux.HandleFunc("GET /websocket/{token}", func(w http.ResponseWriter, r *http.Request) {
			s.upgrade(w, r, r.PathValue("token"), nil)
		})
	case Cookie:
		mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie("SESSION")
			tok := ""
			if err == nil {
				tok = c.Value
			}
			s.upgrade(w, r, tok, nil)
		})
	case Subprotocol:
		mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
			subs := websocket.Subprotocols(r)
			for _, p := range subs {
				if s.valid(p) {
					s.upgrade(w, r, p, []string{p})
					return
				}
			}
			s.upgrade(w, r, "", nil)
		})
	}
	return mux
}

// newToken issues a token with characters that need escaping in a URL
// ("+", "/", "="), except for a subprotocol, which cannot hold them.
func (s *Server) newToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	tok := base64.StdEncoding.EncodeToString(b[:23]) // ends in "="
	if s.cfg.Mode == Subprotocol {
		tok = base64.RawURLEncoding.EncodeToString(b)
	}
	s.mu.Lock()
	s.tokens[tok] = true
	s.mu.Unlock()
	return tok
}

// IssueToken returns a valid token, as a pasted API key would be.
func (s *Server) IssueToken() string { return s.newToken() }

// RevokeAll makes every issued token invalid.
func (s *Server) RevokeAll() {
	s.mu.Lock()
	s.tokens = map[string]bool{}
	s.mu.Unlock()
}

func (s *Server) valid(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return tok != "" && s.tokens[tok]
}

func (s *Server) checkPassword(user, pass string) bool {
	return subtle.ConstantTimeCompare([]byte(user), []byte(s.cfg.Username)) == 1 &&
		subtle.ConstantTimeCompare([]byte(pass), []byte(s.cfg.Password)) == 1
}

// jsonLogin answers like many such backends: 200 either way, with a code
// in the body, and the token at data.token and in X-Auth-Token.
func (s *Server) jsonLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserName string `json:"userName"`
		PassWord string `json:"passWord"`
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		w.Write([]byte(`{"code":400,"msg":"bad request"}`))
		return
	}
	if !s.checkPassword(req.UserName, req.PassWord) {
		w.Write([]byte(`{"code":401,"msg":"用户名或密码错误"}`))
		return
	}
	tok := s.newToken()
	w.Header().Set("X-Auth-Token", tok)
	b, _ := json.Marshal(map[string]any{"code": 200, "msg": "ok", "data": map[string]string{"token": tok}})
	w.Write(b)
}

// formLogin answers like a servlet form login: a redirect, with a session
// cookie when the password was right.
func (s *Server) formLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || !s.checkPassword(r.PostForm.Get("j_username"), r.PostForm.Get("j_password")) {
		http.Redirect(w, r, "/login?error", http.StatusFound)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "SESSION", Value: s.newToken(), Path: "/", HttpOnly: true})
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: "zh-CN", Path: "/"})
	http.Redirect(w, r, "/", http.StatusFound)
}

// missed answers the messages with ids after ?since=, oldest first; a
// missing since answers them all. The token comes as ?token=, a path
// segment, the cookie, or a bearer header.
func (s *Server) missed(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	if v := r.PathValue("token"); v != "" {
		tok = v
	}
	if c, err := r.Cookie("SESSION"); err == nil && tok == "" {
		tok = c.Value
	}
	if tok == "" {
		tok = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	if !s.valid(tok) {
		http.Error(w, `{"code":401}`, http.StatusUnauthorized)
		return
	}
	if s.cfg.MissedStatus != 0 {
		http.Error(w, "backend in trouble", s.cfg.MissedStatus)
		return
	}
	since, _ := strconv.Atoi(r.URL.Query().Get("since"))
	s.mu.Lock()
	var frames []json.RawMessage
	for _, e := range s.history {
		if e.id > since {
			frames = append(frames, json.RawMessage(e.frame))
		}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	b, _ := json.Marshal(map[string]any{"code": 200, "data": frames})
	w.Write(b)
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// upgrade accepts a socket with a valid token, re-sends the last messages,
// and reads heartbeats until the socket ends or idles out.
func (s *Server) upgrade(w http.ResponseWriter, r *http.Request, tok string, subprotocols []string) {
	if !s.valid(tok) {
		s.mu.Lock()
		s.refused++
		s.mu.Unlock()
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	up := upgrader
	up.Subprotocols = subprotocols
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	// Register and re-send under one lock: no push can fall in between.
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ws.Close()
		return
	}
	s.sockets.Add(1)
	defer s.sockets.Done()
	s.accepted++
	s.conns[ws] = struct{}{}
	if n := s.cfg.Replay; n > 0 {
		for _, e := range s.history[max(0, len(s.history)-n):] {
			write(ws, e.frame)
		}
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, ws)
		s.mu.Unlock()
		ws.Close()
	}()
	ws.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				s.mu.Lock()
				s.idleClosed++
				s.mu.Unlock()
			}
			return
		}
		if string(msg) != s.cfg.Heartbeat {
			continue
		}
		ws.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
		s.mu.Lock()
		s.heartbeats = append(s.heartbeats, time.Now())
		if s.cfg.Echo != "" {
			write(ws, s.cfg.Echo)
		}
		s.mu.Unlock()
	}
}

// write sends one text frame; the caller holds s.mu, which serialises
// every write of the server.
func write(ws *websocket.Conn, frame string) {
	ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	ws.WriteMessage(websocket.TextMessage, []byte(frame))
}

// Push sends a raw frame to every socket and keeps it for re-sends.
func (s *Server) Push(frame string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.history = append(s.history, entry{frame: frame})
	s.broadcast(frame)
}

func (s *Server) broadcast(frame string) {
	for ws := range s.conns {
		write(ws, frame)
	}
	if n := len(s.history) - 10000; n > 0 {
		s.history = s.history[n:]
	}
}

// PushMsg pushes {"msg": text}, without an id.
func (s *Server) PushMsg(text string) {
	b, _ := json.Marshal(map[string]string{"msg": text})
	s.Push(string(b))
}

// PushText pushes text as it is, not JSON.
func (s *Server) PushText(text string) { s.Push(text) }

// PushTask pushes a task with nested fields and an id and returns the id:
// {"type":"task","data":{"id":"7","title":...,"content":...,"link":...,"level":4},"ts":...}.
func (s *Server) PushTask(title, content string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	id := strconv.Itoa(s.nextID)
	b, _ := json.Marshal(map[string]any{
		"type": "task",
		"data": map[string]any{"id": id, "title": title, "content": content, "link": "https://example.com/tasks/" + id, "level": 4},
		"ts":   time.Now().UnixMilli(),
	})
	s.history = append(s.history, entry{id: s.nextID, frame: string(b)})
	s.broadcast(string(b))
	return id
}

// Kick closes every socket at once (a forced disconnect) and returns how
// many there were.
func (s *Server) Kick() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.conns)
	for ws := range s.conns {
		ws.Close()
	}
	return n
}

// Close closes every socket, keeps no new one, and returns once the
// handlers of the closed ones have returned.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for ws := range s.conns {
		ws.Close()
	}
	s.mu.Unlock()
	s.sockets.Wait()
}

// Stats is what the server counted.
type Stats struct {
	Accepted   int // sockets upgraded
	Refused    int // handshakes refused for a missing or bad token
	IdleClosed int // sockets closed for sending no heartbeat
	Open       int // sockets open now
}

// Stats returns the counts so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Accepted: s.accepted, Refused: s.refused, IdleClosed: s.idleClosed, Open: len(s.conns)}
}

// Heartbeats returns when each heartbeat arrived.
func (s *Server) Heartbeats() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.heartbeats...)
}
