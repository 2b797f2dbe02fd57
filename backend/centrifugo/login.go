package centrifugo

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"tasktray/auth"
	"tasktray/backend/internal/httpapi"
	"tasktray/conn"
)

// maxResponse caps what is read of the token endpoint's answer (a JWT or
// two): a wrong server must not make us read a video.
const maxResponse = 4 << 20

// Authenticator gets a Centrifugo connection token (a JWT). With the
// account's OptionTokenURL it posts {"username","password"} there and
// expects {"token":"<JWT>"}; without it, the password field holds a token
// the user pasted. The token's exp claim, if any, is its expiry.
//
// The token endpoint's contract (the site implements it):
//
//   - Login: POST, Content-Type application/json, body
//     {"username":"…","password":"…"}. Answer 200 {"token":"<JWT>"} (other
//     fields ignored); 401 or 403 for wrong credentials.
//   - Refresh: POST, "Authorization: Bearer <current JWT>", body {}. The
//     current token is still valid (tasktray refreshes at 4/5 of its life,
//     as the connect reply's ttl says; it keeps no password). Answer 200
//     {"token":"<new JWT>"} for the same user; 401 or 403 when the site no
//     longer renews it (the user was removed, or the session revoked):
//     tasktray then asks for a login.
//
// The JWT needs "sub" and should carry "exp". With a token URL the link
// outlives any exp by refreshing (Centrifugo's client-side refresh); a
// pasted token lapses at its exp, and the user pastes a new one.
type Authenticator struct {
	// HTTPClient makes the request to the token endpoint. Nil means a
	// client with a 15 s timeout that trusts the account's CA file.
	// Redirects are never followed.
	HTTPClient *http.Client
	// Dialer opens the short WebSocket link on which Login reads where the
	// channel's stream stands (Session.Resume). Nil means conn.NewDialer
	// with the account's CA file.
	Dialer conn.Dialer
}

var _ auth.Authenticator = Authenticator{}

// Login returns a session holding the connection token. Errors wrap
// auth.ErrBadCredentials, auth.ErrUnreachable, auth.ErrTLS,
// auth.ErrNotServer, auth.ErrInsecure or auth.ErrBadURL (or are ctx's
// error); they never contain the password or the token.
func (a Authenticator) Login(ctx context.Context, c auth.Credentials) (auth.Session, error) {
	if err := c.Check(); err != nil {
		return auth.Session{}, err
	}
	if _, err := New(c.Account); err != nil {
		return auth.Session{}, err
	}
	tokenURL := c.Options[OptionTokenURL]
	if tokenURL == "" {
		exp, err := expiry(c.Password)
		if err != nil {
			return auth.Session{}, msgNotAJWT.Err(auth.ErrBadCredentials)
		}
		if !exp.IsZero() && exp.Before(time.Now()) {
			return auth.Session{}, msgTokenExpired.Err(auth.ErrBadCredentials, exp.Format(time.RFC3339))
		}
		return a.withResume(ctx, auth.Session{Account: c.Account, Token: c.Password, ExpiresAt: exp}), nil
	}

	acc := c.Account
	acc.Server = tokenURL
	u, err := httpapi.BaseURL(acc)
	if err != nil {
		return auth.Session{}, msgTokenURL.Err(err)
	}
	client, err := httpapi.Client(a.HTTPClient, acc)
	if err != nil {
		return auth.Session{}, err
	}
	defer httpapi.Release(a.HTTPClient, client)
	body, err := json.Marshal(map[string]string{"username": c.Username, "password": c.Password})
	if err != nil {
		return auth.Session{}, err
	}
	token, exp, err := fetchToken(ctx, client, u, body, "", auth.ErrBadCredentials)
	if err != nil {
		return auth.Session{}, err
	}
	return a.withResume(ctx, auth.Session{Account: c.Account, Token: token, ExpiresAt: exp}), nil
}

// withResume sets s.Resume to where the channel's stream stands now, so
// the first link recovers a task published between this login and its
// subscribe. It is best effort: when the server cannot be reached now,
// Resume stays "" and the link subscribes from wherever the stream is then
// (today's behaviour), and the login still succeeds.
func (a Authenticator) withResume(ctx context.Context, s auth.Session) auth.Session {
	if top, err := streamTop(ctx, a.Dialer, s.Account, s.Token); err == nil {
		s.Resume = top
	}
	return s
}

// fetchToken posts body to the token endpoint u, with "Authorization:
// Bearer <bearer>" when bearer is not "", and returns the token of a 200
// answer {"token":"<JWT>"} and its expiry. A 401 or 403 returns refused;
// an answer without a JWT wraps auth.ErrNotServer. Errors never hold a
// token or the password.
func fetchToken(ctx context.Context, client *http.Client, u *url.URL, body []byte, bearer string, refused error) (string, time.Time, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return "", time.Time{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := httpapi.Do(client, req)
	if err != nil {
		return "", time.Time{}, err
	}
	defer httpapi.CloseBody(resp)
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized, http.StatusForbidden:
		return "", time.Time{}, refused
	default:
		return "", time.Time{}, httpapi.StatusErr(resp)
	}
	var answer struct {
		Token string `json:"token"`
	}
	if err := httpapi.DecodeJSON(resp, maxResponse, &answer); err != nil {
		return "", time.Time{}, err
	}
	exp, err := expiry(answer.Token)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("%w: %s answered without a connection token (a JWT)", auth.ErrNotServer, u.Host+u.Path)
	}
	return answer.Token, exp, nil
}

// Logout is not supported: a JWT cannot be revoked by its holder; it
// lapses at its exp.
func (a Authenticator) Logout(ctx context.Context, s auth.Session) error {
	return auth.ErrNotSupported
}

// expiry reads the exp claim of a JWT without checking its signature (the
// server does that); zero when it has none. Errors never quote the token.
func expiry(token string) (time.Time, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, errors.New("not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, errors.New("JWT payload is not base64url")
	}
	var claims struct {
		Exp *float64 `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return time.Time{}, errors.New("JWT payload is not a JSON object")
	}
	if claims.Exp == nil || *claims.Exp <= 0 {
		return time.Time{}, nil
	}
	return time.Unix(int64(*claims.Exp), 0), nil
}
