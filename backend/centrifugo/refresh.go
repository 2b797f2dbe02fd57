package centrifugo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"tasktray/conn"
)

// minRefreshIn is the shortest wait before a refresh, for tokens that
// live only seconds.
const minRefreshIn = time.Second

var _ conn.Refresher = (*session)(nil)

// scheduleRefresh asks conn to call Refresh a little before the token
// expires (at 4/5 of its ttl), when the token expires and can be renewed
// (the account has a token URL; a pasted token cannot be).
func (s *session) scheduleRefresh(res expiryResult, d *conn.Decoded) {
	if !res.Expires || res.TTL == 0 || s.p == nil || s.p.tokenURL == nil {
		return
	}
	ttl := time.Duration(res.TTL) * time.Second
	d.RefreshIn = max(ttl*4/5, minRefreshIn)
}

// Refresh trades token, still valid, for a new one at the account's token
// endpoint (a POST with "Authorization: Bearer <token>", see Authenticator
// for the contract; no password is kept), and hands it to the server with
// a refresh command on this link, so the link outlives the token's exp.
// conn calls it off the read path; it touches no session state. A refusal
// (401 or 403) wraps conn.ErrUnauthorized: the user logs in again. Other
// failures are retried by conn.
func (s *session) Refresh(ctx context.Context, token string) (conn.Decoded, error) {
	if s.p == nil || s.p.tokenURL == nil {
		return conn.Decoded{}, errors.New("centrifugo: no token URL to refresh the token at")
	}
	refused := fmt.Errorf("%w: the token endpoint no longer renews the token", conn.ErrUnauthorized)
	renewed, exp, err := fetchToken(ctx, s.p.tokens, s.p.tokenURL, []byte("{}"), token, refused)
	if err != nil {
		return conn.Decoded{}, err
	}
	frames, err := marshal(command{ID: idRefresh, Refresh: &refreshRequest{Token: renewed}})
	if err != nil {
		return conn.Decoded{}, err
	}
	return conn.Decoded{Token: &conn.Renewal{Token: renewed, ExpiresAt: exp}, Reply: frames}, nil
}

// refreshError sorts the server's answer to a refresh command: an expired
// or refused token asks for a login; anything else costs a reconnect, which
// connects with the new token (conn already uses it).
func refreshError(e *replyError) error {
	if e == nil {
		return nil
	}
	switch e.Code {
	case errTokenExpired, errUnauthorized, errPermissionDenied:
		return fmt.Errorf("%w: the server refused the renewed token (Centrifugo error %d %s)", conn.ErrUnauthorized, e.Code, e.Message)
	}
	return fmt.Errorf("token refresh refused: Centrifugo error %d %s", e.Code, e.Message)
}
