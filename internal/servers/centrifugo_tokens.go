package servers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// CentrifugoTokens is a site's token endpoint for a Centrifugo server, as
// tasktray's Centrifugo kind expects one (docs/servers.md). It mints
// connection tokens (HS256 JWTs) signed with the server's secret:
//
//   - Login: POST with a JSON body {"username":"…","password":"…"}. A known
//     user with the right password gets 200 {"token":"<JWT>"} for sub
//     username, expiring after TTL; anything else 401.
//   - Refresh: POST with "Authorization: Bearer <JWT>" (the body is not
//     read). A token this endpoint could have minted (signed with the
//     server's secret), not expired, whose user was not revoked, gets 200
//     {"token":"<new JWT>"} for the same sub, expiring after TTL; anything
//     else 401.
//
// Its methods are safe to call from any goroutine.
type CentrifugoTokens struct {
	// URL is where to POST.
	URL string

	c   *Centrifugo
	srv *httptest.Server

	mu        sync.Mutex
	users     map[string]string // username -> password
	revoked   map[string]bool   // users whose tokens are no longer renewed
	ttl       time.Duration
	logins    int
	refreshes int
}

// StartTokenEndpoint serves c's token endpoint for users (username ->
// password), minting tokens that expire after ttl, until the test ends.
func (c *Centrifugo) StartTokenEndpoint(t testing.TB, users map[string]string, ttl time.Duration) *CentrifugoTokens {
	t.Helper()
	e := &CentrifugoTokens{c: c, users: users, revoked: map[string]bool{}, ttl: ttl}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	e.URL = e.srv.URL + "/centrifugo/token"
	t.Cleanup(e.srv.Close)
	return e
}

// Revoke stops renewing user's tokens and refuses the user's logins, as a
// site does for a removed account.
func (e *CentrifugoTokens) Revoke(user string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.revoked[user] = true
}

// Counts returns how many logins and refreshes were granted.
func (e *CentrifugoTokens) Counts() (logins, refreshes int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.logins, e.refreshes
}

func (e *CentrifugoTokens) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, `{"error":"POST only"}`, http.StatusMethodNotAllowed)
		return
	}
	var user string
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		user = e.renewable(bearer)
	} else {
		var req struct{ Username, Password string }
		if json.NewDecoder(r.Body).Decode(&req) != nil {
			http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
			return
		}
		e.mu.Lock()
		if pass, ok := e.users[req.Username]; ok && pass == req.Password && !e.revoked[req.Username] {
			user = req.Username
			e.logins++
		}
		e.mu.Unlock()
	}
	if user == "" {
		http.Error(w, `{"error":"log in again"}`, http.StatusUnauthorized)
		return
	}
	e.mu.Lock()
	ttl := e.ttl
	e.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"token": e.c.Token(user, ttl)})
}

// renewable returns the sub of token if it can be renewed, and counts the
// refresh; "" if not.
func (e *CentrifugoTokens) renewable(token string) string {
	claims, ok := verifyHS256([]byte(e.c.Secret), token)
	if !ok || claims.Sub == "" || claims.Exp == 0 || time.Now().Unix() >= claims.Exp {
		return ""
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, known := e.users[claims.Sub]; !known || e.revoked[claims.Sub] {
		return ""
	}
	e.refreshes++
	return claims.Sub
}

// tokenClaims are the claims the endpoint reads back.
type tokenClaims struct {
	Sub string `json:"sub"`
	Exp int64  `json:"exp"`
}

// verifyHS256 checks that token is a JWT with the header signHS256 writes
// and a valid HMAC-SHA256 signature under secret, and returns its claims.
func verifyHS256(secret []byte, token string) (tokenClaims, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != jwtHeaderHS256 {
		return tokenClaims{}, false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return tokenClaims{}, false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return tokenClaims{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return tokenClaims{}, false
	}
	var c tokenClaims
	if json.Unmarshal(payload, &c) != nil {
		return tokenClaims{}, false
	}
	return c, true
}
