package server

import (
	"encoding/json"
	"time"
)

// tokenFrame hands a link a new token (docs/protocol.md, "Staying logged
// in"): sliding renewal, so that a user who keeps the app running never has
// to log in again, while a token that leaks stops working within
// Config.TokenTTL of the last time its session was connected.
type tokenFrame struct {
	Type      string `json:"type"` // always "token"
	Token     string `json:"token"`
	ExpiresAt string `json:"expires_at"`
}

// renew mints a new token in the family of the one c uses, switches c to
// it, and returns the frame that hands it over. The old token stays valid
// until its own expiry (at least half a TTL away), so a client that misses
// the frame reconnects with it and is renewed again then. ok is false when
// c's token is no longer valid (revoked: its close is already queued).
func (s *Server) renew(c *wsConn) (frame []byte, next session, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, valid := s.validLocked(c.token)
	if !valid {
		return nil, session{}, false
	}
	token, key, next := s.mintLocked(old.user, old.family, time.Now())
	c.token = key
	frame, err := json.Marshal(tokenFrame{Type: "token", Token: token, ExpiresAt: next.expires.UTC().Format(time.RFC3339)})
	if err != nil {
		panic(err) // two strings always encode
	}
	return frame, next, true
}
