package server

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"golang.org/x/crypto/bcrypt"
)

// maxLoginBody bounds a login request: a name and a password fit in far less.
const maxLoginBody = 4 << 10

// codeUnauthorized is the WebSocket close code for a token that expired or
// was revoked while connected: 4000..4999 is the private range, and 4401
// mirrors HTTP 401.
const codeUnauthorized = 4401

// broadcast is the user name Publish takes to mean every user; no account
// can have it.
const broadcast = "*"

// account is one user: password hash, task counter, history and sockets.
type account struct {
	hash    []byte
	lastID  int64 // id of the user's newest task; ids start at 1
	history history
	conns   map[*wsConn]struct{}
}

func (s *Server) newAccount(hash []byte) *account {
	return &account{
		hash:    hash,
		history: history{size: s.cfg.HistorySize},
		conns:   make(map[*wsConn]struct{}),
	}
}

// session is what the server knows of a token it handed out.
type session struct {
	user    string
	issued  time.Time
	expires time.Time
	// family names the login the token descends from: a login starts one,
	// and each token renewed over a link (renew.go) inherits it, so that a
	// logout ends the whole session, not only its newest token.
	family [sha256.Size]byte
}

// renewAt is when a link using this token is handed a new one: at half its
// life, so that a link that fails to pass it on still has the other half.
func (sess session) renewAt() time.Time {
	return sess.issued.Add(sess.expires.Sub(sess.issued) / 2)
}

// HashPassword returns the bcrypt hash of pw at the default cost, in the form
// Config.Users and the -users file of cmd/tasktray-server expect.
func HashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("server: hash password: %w", err)
	}
	return string(h), nil
}

// checkUserName rejects names that would be ambiguous: "*" means every user
// to Publish, ':' separates name and hash in a users file, and spaces at the
// ends or control characters make a name that no one can type back.
func checkUserName(name string) error {
	switch {
	case name == "":
		return errors.New("server: empty user name")
	case name == broadcast:
		return errors.New(`server: "*" is reserved for publishing to every user`)
	case strings.ContainsRune(name, ':'):
		return fmt.Errorf("server: user name %q holds a ':'", name)
	case strings.TrimSpace(name) != name || strings.ContainsFunc(name, unicode.IsControl):
		return fmt.Errorf("server: user name %q has surrounding spaces or control characters", name)
	}
	return nil
}

// AddUser creates a user with the given password, hashed at
// Config.BcryptCost. It fails if the name is taken, empty, "*", or holds a
// ':', surrounding spaces or control characters.
func (s *Server) AddUser(name, password string) error {
	if err := checkUserName(name); err != nil {
		return err
	}
	if password == "" {
		return fmt.Errorf("server: empty password for user %q", name)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cfg.BcryptCost)
	if err != nil {
		return fmt.Errorf("server: hash password: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[name]; ok {
		return fmt.Errorf("server: user %q already exists", name)
	}
	s.users[name] = s.newAccount(hash)
	return nil
}

// Revoke invalidates every token of user and closes the user's WebSockets
// with close code 4401. Unknown users are ignored.
func (s *Server) Revoke(user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, sess := range s.tokens {
		if sess.user == user {
			delete(s.tokens, key)
		}
	}
	if a, ok := s.users[user]; ok {
		for c := range a.conns {
			c.close(codeUnauthorized, "unauthorized", "user revoked")
		}
	}
}

var errBadCredentials = errors.New("wrong username or password")

// login checks a password and hands out a new token. lastID is the id of
// the user's newest task at that moment: the client resumes from there, so
// nothing published after the login can be missed, even before its first
// link (docs/protocol.md, "Resume").
func (s *Server) login(name, password string) (token string, expires time.Time, lastID int64, err error) {
	s.mu.Lock()
	a, known := s.users[name]
	hash := s.dummyHash
	if known {
		hash = a.hash
	}
	s.mu.Unlock()

	// bcrypt is slow by design: compare outside the lock.
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || !known {
		if known {
			s.log.Info("login refused", "user", name)
		} else {
			// An unknown name may be a password typed in the wrong field.
			s.log.Info("login refused", "user", "(unknown)")
		}
		return "", time.Time{}, 0, errBadCredentials
	}
	now := time.Now()

	s.mu.Lock()
	defer s.mu.Unlock()
	// Tokens that are never presented again would pile up; logins are rare
	// and cost a bcrypt, so sweeping here is cheap by comparison.
	for key, sess := range s.tokens {
		if !now.Before(sess.expires) {
			delete(s.tokens, key)
		}
	}
	token, key, sess := s.mintLocked(name, [sha256.Size]byte{}, now)
	sess.family = key // a login starts a family named after its first token
	s.tokens[key] = sess
	return token, sess.expires, a.lastID, nil
}

// mintLocked makes a new random token for user in family, valid for
// Config.TokenTTL from now, and stores its hash. s.mu must be held.
func (s *Server) mintLocked(user string, family [sha256.Size]byte, now time.Time) (string, [sha256.Size]byte, session) {
	raw := make([]byte, 32)
	rand.Read(raw) // never fails: crypto/rand crashes the program instead
	token := base64.RawURLEncoding.EncodeToString(raw)
	key := sha256.Sum256([]byte(token))
	sess := session{user: user, issued: now, expires: now.Add(s.cfg.TokenTTL), family: family}
	s.tokens[key] = sess
	return token, key, sess
}

// authenticate looks a token up. Only its hash is stored, so a leaked
// session table holds no usable token, and the map lookup on the hash
// leaks no timing about the token itself.
func (s *Server) authenticate(token string) (key [sha256.Size]byte, sess session, ok bool) {
	if token == "" {
		return key, sess, false
	}
	key = sha256.Sum256([]byte(token))
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok = s.validLocked(key)
	return key, sess, ok
}

// validLocked reports whether the token with this hash is known and
// unexpired, forgetting it if it expired. s.mu must be held.
func (s *Server) validLocked(key [sha256.Size]byte) (session, bool) {
	sess, ok := s.tokens[key]
	if !ok {
		return session{}, false
	}
	if !time.Now().Before(sess.expires) {
		delete(s.tokens, key)
		return session{}, false
	}
	return sess, true
}

// logout ends the session a token belongs to: that token, the tokens it
// was renewed from and to (its family), and the WebSockets that use them.
func (s *Server) logout(token string) bool {
	_, sess, ok := s.authenticate(token)
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, other := range s.tokens {
		if other.family == sess.family {
			delete(s.tokens, key)
		}
	}
	for c := range s.users[sess.user].conns {
		if c.family == sess.family {
			c.close(codeUnauthorized, "unauthorized", "logged out")
		}
	}
	return true
}

// bearerToken returns the token of an "Authorization: Bearer" header, or "".
// The scheme is case-insensitive (RFC 9110).
func bearerToken(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// publisherAllowed reports whether r carries the publisher key.
func (s *Server) publisherAllowed(r *http.Request) bool {
	key := r.Header.Get("X-Publisher-Key")
	if s.cfg.PublisherKey == "" || key == "" {
		return false
	}
	sum := sha256.Sum256([]byte(key))
	return subtle.ConstantTimeCompare(sum[:], s.publisherKey[:]) == 1
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	data, ok := readBody(w, r, maxLoginBody)
	if !ok {
		return
	}
	// The decoder's message could quote a character of the password.
	if json.Unmarshal(data, &req) != nil {
		writeError(w, http.StatusBadRequest, "bad_request", `body must be JSON: {"username":"...","password":"..."}`)
		return
	}
	if req.Username == "" || req.Password == "" {
		writeError(w, http.StatusBadRequest, "bad_request", "username and password are required")
		return
	}
	token, expires, lastID, err := s.login(req.Username, req.Password)
	if err != nil {
		writeError(w, http.StatusUnauthorized, "invalid_credentials", err.Error())
		return
	}
	s.log.Info("login", "user", req.Username)
	writeJSON(w, http.StatusOK, struct {
		Token     string `json:"token"`
		ExpiresAt string `json:"expires_at"`
		LastID    int64  `json:"last_id"`
		Epoch     string `json:"epoch"`
	}{token, expires.UTC().Format(time.RFC3339), lastID, s.cfg.Epoch})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if !s.logout(bearerToken(r)) {
		writeError(w, http.StatusUnauthorized, "unauthorized", "missing, invalid, expired or revoked token")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
