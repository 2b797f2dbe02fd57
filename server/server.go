// Package server is the reference server of tasktray's native protocol
// (docs/protocol.md). It owns the user accounts and their login tokens, the
// per-user task counters and bounded histories, the publish endpoint, and the
// WebSocket that pushes tasks, resumes from a client's last task id (or from
// where the history stood at its login), says what a resume could no longer
// get, renews the token while connected, and keeps the link alive with
// heartbeats.
//
// Demo mode and tests run it in-process; cmd/tasktray-server runs it
// standalone. Everything lives in memory: a restart forgets users added at
// run time, tokens and history, and task ids start again at 1.
package server

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/crypto/bcrypt"
)

// Defaults for the zero values of Config.
const (
	defaultTokenTTL    = 30 * 24 * time.Hour
	defaultHistorySize = 1000
	defaultPingPeriod  = 30 * time.Second
	defaultPongWait    = 60 * time.Second
	defaultHeartbeat   = "HeartBeat"
)

// protocolVersion is what GET /api/health reports; it changes only when an
// old client could no longer talk to a new server.
const protocolVersion = 1

// Config configures a Server. Every field but Users and PublisherKey has a
// default for its zero value.
type Config struct {
	// Users maps a user name to the bcrypt hash of its password
	// (see HashPassword).
	Users map[string]string
	// PublisherKey is the secret POST /api/tasks requires in the
	// X-Publisher-Key header. Empty turns publishing over HTTP off;
	// Publish still works in-process.
	PublisherKey string
	// TokenTTL is how long a token stays valid (default 30 days). A link
	// hands its client a new token at half the old one's life (renew.go),
	// so a session that connects now and then never ends on its own; one
	// that stays away for longer than TokenTTL/2 to TokenTTL, which is at
	// least 15 days by default, must log in again.
	TokenTTL time.Duration
	// HistorySize is how many recent tasks are kept per user for clients
	// that resume with since= (default 1000).
	HistorySize int
	// PingPeriod is how often the server pings each WebSocket. PongWait is
	// how long a link may stay silent before it is closed. PingPeriod must
	// be shorter than PongWait so that the answer to a ping always lands in
	// time. When both are zero they are 30 s and 60 s; when one is zero it
	// is derived from the other (half the PongWait, twice the PingPeriod).
	PingPeriod, PongWait time.Duration
	// Heartbeat is the text frame echoed back to clients that cannot send
	// WebSocket pings (default "HeartBeat").
	Heartbeat string
	// BcryptCost is the cost AddUser hashes passwords with (default
	// bcrypt.DefaultCost). Only tests should lower it, to bcrypt.MinCost.
	BcryptCost int
	// Epoch names this server's task history (docs/protocol.md, "Resume").
	// A client that resumes with another epoch is sent all kept history,
	// since its ids belong to a history that is gone. Empty picks a random
	// one: the reference server keeps history in memory, so a restart
	// starts the ids over. A server with a database keeps one epoch for as
	// long as its ids.
	Epoch string
	// Logger receives structured logs; nil discards them. Logs never hold
	// a token, a password or a query string.
	Logger *slog.Logger
}

// Server is the reference server. It is an http.Handler and safe for
// concurrent use. Call Close to end its WebSockets.
type Server struct {
	cfg      Config
	log      *slog.Logger
	handler  http.Handler
	upgrader websocket.Upgrader
	// dummyHash is what a login for an unknown user is checked against, so
	// that the answer takes as long as for a known one and timing does not
	// tell which names exist.
	dummyHash []byte
	// publisherKey is the SHA-256 of Config.PublisherKey: comparing
	// fixed-size digests in constant time hides the key's length too.
	publisherKey [sha256.Size]byte
	wg           sync.WaitGroup // one per WebSocket handler, for Close
	// afterUpgrade, when set by a test, runs once the 101 is written: what
	// it publishes must reach that socket.
	afterUpgrade func()

	mu     sync.Mutex
	users  map[string]*account
	tokens map[[sha256.Size]byte]session // keyed by the SHA-256 of the token
	closed bool
}

// New checks cfg, fills in its defaults and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = defaultTokenTTL
	}
	if cfg.HistorySize == 0 {
		cfg.HistorySize = defaultHistorySize
	}
	switch {
	case cfg.PingPeriod == 0 && cfg.PongWait == 0:
		cfg.PingPeriod, cfg.PongWait = defaultPingPeriod, defaultPongWait
	case cfg.PingPeriod == 0:
		cfg.PingPeriod = cfg.PongWait / 2
	case cfg.PongWait == 0:
		cfg.PongWait = 2 * cfg.PingPeriod
	}
	if cfg.Heartbeat == "" {
		cfg.Heartbeat = defaultHeartbeat
	}
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = bcrypt.DefaultCost
	}
	if cfg.Epoch == "" {
		cfg.Epoch = rand.Text()[:12]
	}
	switch {
	case cfg.TokenTTL < 0:
		return nil, errors.New("server: TokenTTL is negative")
	case cfg.HistorySize < 0:
		return nil, errors.New("server: HistorySize is negative")
	case cfg.PingPeriod <= 0 || cfg.PongWait <= 0:
		return nil, errors.New("server: PingPeriod and PongWait must be positive")
	case cfg.PingPeriod >= cfg.PongWait:
		return nil, fmt.Errorf("server: PingPeriod (%s) must be shorter than PongWait (%s)", cfg.PingPeriod, cfg.PongWait)
	case cfg.BcryptCost < bcrypt.MinCost || cfg.BcryptCost > bcrypt.MaxCost:
		return nil, fmt.Errorf("server: BcryptCost %d is outside %d..%d", cfg.BcryptCost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	s := &Server{
		cfg:          cfg,
		log:          log,
		publisherKey: sha256.Sum256([]byte(cfg.PublisherKey)),
		users:        make(map[string]*account, len(cfg.Users)),
		tokens:       make(map[[sha256.Size]byte]session),
	}
	for name, hash := range cfg.Users {
		if err := checkUserName(name); err != nil {
			return nil, err
		}
		if _, err := bcrypt.Cost([]byte(hash)); err != nil {
			return nil, fmt.Errorf("server: password hash of user %q: %w", name, err)
		}
		s.users[name] = s.newAccount([]byte(hash))
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("no such user"), cfg.BcryptCost)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s.dummyHash = dummy

	s.upgrader = websocket.Upgrader{
		HandshakeTimeout: writeWait,
		// The token is a bearer credential, not an ambient cookie, so a
		// foreign page cannot borrow it: cross-origin handshakes are safe
		// and browser clients on any origin may connect.
		CheckOrigin: func(*http.Request) bool { return true },
		Error: func(w http.ResponseWriter, _ *http.Request, status int, reason error) {
			code := "bad_request"
			if status != http.StatusBadRequest {
				code = "internal"
			}
			writeError(w, status, code, reason.Error())
		},
	}

	mux := http.NewServeMux()
	mux.Handle("/api/health", allow(http.MethodGet, s.handleHealth))
	mux.Handle("/api/login", allow(http.MethodPost, s.handleLogin))
	mux.Handle("/api/logout", allow(http.MethodPost, s.handleLogout))
	mux.Handle("/api/tasks", allow(http.MethodPost, s.handlePublish))
	mux.Handle("/ws", allow(http.MethodGet, s.handleWS))
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint")
	})
	s.handler = s.logRequests(mux)
	return s, nil
}

// ServeHTTP serves the native protocol: /api/health, /api/login,
// /api/logout, /api/tasks and /ws.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// Close ends every WebSocket with close code 1001 and returns once all their
// goroutines have. Later handshakes get 503; the other endpoints keep
// working. Close does not stop an http.Server that serves s: shut that down
// first, since it does not track hijacked WebSocket connections.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for _, a := range s.users {
		for c := range a.conns {
			c.close(websocket.CloseGoingAway, "server shutting down", "server closed")
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// DropConnections cuts every WebSocket at once without a close frame, as a
// network failure would, so tests can exercise a client's reconnect and
// resume. Tokens stay valid.
func (s *Server) DropConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.users {
		for c := range a.conns {
			c.abort("dropped on purpose")
		}
	}
}

func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		Server   string `json:"server"`
		Protocol int    `json:"protocol"`
	}{"tasktray", protocolVersion})
}

// apiError is the body of every error response.
type apiError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, apiError{code, message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	// Login answers carry tokens; no answer of this API is worth caching.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // no answer is embedded in HTML; keep ">" readable
	// An error here means the client went away; there is no one to tell.
	_ = enc.Encode(v)
}

// allow answers 405 with a JSON body, which http.ServeMux's method patterns
// would answer in plain text.
func allow(method string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method {
			w.Header().Set("Allow", method)
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use "+method)
			return
		}
		h(w, r)
	})
}

// logRequests logs one line per request. It logs the path and never the
// query, which may carry a token (GET /ws?token=...).
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() { // after the log line, and even if the handler panics
			if sw.after != nil {
				sw.after()
			}
		}()
		next.ServeHTTP(sw, r)
		s.log.Info("http request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"duration", time.Since(start).Round(time.Microsecond), "remote", r.RemoteAddr)
	})
}

// statusWriter remembers the status of a response. It implements
// http.Hijacker, which the WebSocket upgrade needs.
type statusWriter struct {
	http.ResponseWriter
	status  int
	written bool
	after   func() // runs once the request is logged, if set
}

func (w *statusWriter) WriteHeader(status int) {
	if !w.written {
		w.status, w.written = status, true
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.written = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("server: connection cannot be hijacked")
	}
	w.status, w.written = http.StatusSwitchingProtocols, true
	return h.Hijack()
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
