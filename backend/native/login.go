package native

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"tasktray/auth"
	"tasktray/backend/internal/httpapi"
)

// maxResponse caps what is read of any answer: the native API's are a few
// hundred bytes, and a wrong server must not make us read a video.
const maxResponse = 64 << 10

// Authenticator logs in to a native tasktray server (docs/protocol.md):
// GET /api/health to make sure it is one, then POST /api/login.
type Authenticator struct {
	// HTTPClient makes the requests. Nil means a client with a 15 s timeout
	// that trusts the account's CA file. Redirects are never followed, with
	// either: a 307 would resend the password to wherever it points.
	HTTPClient *http.Client
}

var _ auth.Authenticator = Authenticator{}

// Login checks that c.Server is a tasktray server and trades the username and
// password for a token, and for where the user's task history stands
// (Session.Resume, which the agent passes as conn.Config.StartFrom). Errors wrap auth.ErrBadCredentials,
// auth.ErrUnreachable, auth.ErrTLS, auth.ErrNotServer, auth.ErrInsecure or
// auth.ErrBadURL, or are the context's error when ctx is cancelled; they
// never contain the password or the token.
func (a Authenticator) Login(ctx context.Context, c auth.Credentials) (auth.Session, error) {
	if err := c.Check(); err != nil {
		return auth.Session{}, err
	}
	base, client, err := httpapi.Prepare(a.HTTPClient, c.Account)
	if err != nil {
		return auth.Session{}, err
	}
	defer httpapi.Release(a.HTTPClient, client)

	var health struct {
		Server string `json:"server"`
	}
	if err := getJSON(ctx, client, apiURL(base, "health"), &health); err != nil {
		return auth.Session{}, err
	}
	if health.Server != "tasktray" {
		return auth.Session{}, fmt.Errorf("%w: %s answers /api/health, but not as a tasktray server", auth.ErrNotServer, base.Host)
	}

	body, err := json.Marshal(struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}{c.Username, c.Password})
	if err != nil {
		return auth.Session{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, apiURL(base, "login"), bytes.NewReader(body))
	if err != nil {
		return auth.Session{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpapi.Do(client, req)
	if err != nil {
		return auth.Session{}, err
	}
	defer httpapi.CloseBody(resp)
	if resp.StatusCode == http.StatusUnauthorized {
		return auth.Session{}, auth.ErrBadCredentials
	}
	if resp.StatusCode != http.StatusOK {
		return auth.Session{}, httpapi.StatusErr(resp)
	}

	var answer struct {
		Token     string `json:"token"`
		ExpiresAt string `json:"expires_at"`
		// LastID and Epoch say where the user's history stood at login; a
		// server that predates them leaves LastID nil.
		LastID *int64 `json:"last_id"`
		Epoch  string `json:"epoch"`
	}
	if err := httpapi.DecodeJSON(resp, maxResponse, &answer); err != nil {
		return auth.Session{}, err
	}
	if answer.Token == "" {
		return auth.Session{}, fmt.Errorf("%w: /api/login answered without a token", auth.ErrNotServer)
	}
	s := auth.Session{Account: c.Account, Token: answer.Token}
	if answer.LastID != nil && *answer.LastID >= 0 {
		// The first link resumes from here: nothing published after the
		// login is missed, even before that link is up.
		s.Resume = resumePoint(*answer.LastID, answer.Epoch)
	}
	if answer.ExpiresAt != "" {
		if s.ExpiresAt, err = time.Parse(time.RFC3339, answer.ExpiresAt); err != nil {
			return auth.Session{}, fmt.Errorf("%w: /api/login answered an expiry that is not an RFC 3339 time", auth.ErrNotServer)
		}
	}
	return s, nil
}

// Logout revokes s.Token on the server. A token the server no longer knows
// (401) counts as revoked.
func (a Authenticator) Logout(ctx context.Context, s auth.Session) error {
	base, client, err := httpapi.Prepare(a.HTTPClient, s.Account)
	if err != nil {
		return err
	}
	defer httpapi.Release(a.HTTPClient, client)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, apiURL(base, "logout"), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	resp, err := httpapi.Do(client, req)
	if err != nil {
		return err
	}
	defer httpapi.CloseBody(resp)
	switch resp.StatusCode {
	case http.StatusNoContent, http.StatusOK, http.StatusUnauthorized:
		return nil
	}
	return httpapi.StatusErr(resp)
}

// apiURL returns base/api/<name>, keeping any path prefix of base.
func apiURL(base *url.URL, name string) string {
	return base.JoinPath("api", name).String()
}

// getJSON GETs rawURL and decodes its 200 answer into v.
func getJSON(ctx context.Context, client *http.Client, rawURL string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	return httpapi.DoJSON(client, req, maxResponse, v)
}
