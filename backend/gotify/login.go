package gotify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"

	"tasktray/auth"
	"tasktray/backend/internal/httpapi"
	"tasktray/conn"
)

// maxResponse caps what is read of any answer: a wrong server must not make
// us read a video. A page of 200 Gotify messages is well under it unless
// they average 160 KB; such a page fails the backfill (and the link) rather
// than lose what is in it.
const maxResponse = 32 << 20

// Authenticator logs in to a Gotify server: GET /version to make sure it is
// one, GET /message?limit=1 with basic auth for the newest message id (the
// session's resume point), then POST /client with basic auth to create a
// client token named "tasktray on <hostname>", which the user can see and
// revoke in Gotify's web UI under Clients.
type Authenticator struct {
	// HTTPClient makes the requests. Nil means a client with a 15 s timeout
	// that trusts the account's CA file. Redirects are never followed.
	HTTPClient *http.Client
}

var _ auth.Authenticator = Authenticator{}

// Login trades the username and password for a client token. Errors wrap
// auth.ErrBadCredentials, auth.ErrUnreachable, auth.ErrTLS,
// auth.ErrNotServer, auth.ErrInsecure or auth.ErrBadURL (or are ctx's
// error); they never contain the password or the token.
func (a Authenticator) Login(ctx context.Context, c auth.Credentials) (auth.Session, error) {
	if err := c.Check(); err != nil {
		return auth.Session{}, err
	}
	base, client, err := httpapi.Prepare(a.HTTPClient, c.Account)
	if err != nil {
		return auth.Session{}, err
	}
	defer httpapi.Release(a.HTTPClient, client)
	if err := checkVersion(ctx, client, base); err != nil {
		return auth.Session{}, err
	}
	// Where the history stands, asked before the client is made so that a
	// failure leaves no client behind: whatever is published from now on
	// is fetched by the first link, however late it comes up.
	page, err := fetchPage(ctx, client, base, 0, 1, func(req *http.Request) { req.SetBasicAuth(c.Username, c.Password) })
	if errors.Is(err, conn.ErrUnauthorized) {
		return auth.Session{}, auth.ErrBadCredentials
	}
	if err != nil {
		return auth.Session{}, err
	}
	newest := int64(0)
	if len(page.Messages) > 0 {
		newest = page.Messages[0].ID
	}

	body, err := json.Marshal(map[string]string{"name": clientName()})
	if err != nil {
		return auth.Session{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base.JoinPath("client").String(), bytes.NewReader(body))
	if err != nil {
		return auth.Session{}, err
	}
	req.SetBasicAuth(c.Username, c.Password)
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpapi.Do(client, req)
	if err != nil {
		return auth.Session{}, err
	}
	defer httpapi.CloseBody(resp)
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized, http.StatusForbidden:
		return auth.Session{}, auth.ErrBadCredentials
	default:
		return auth.Session{}, httpapi.StatusErr(resp)
	}
	var created struct {
		Token string `json:"token"`
	}
	if err := httpapi.DecodeJSON(resp, maxResponse, &created); err != nil {
		return auth.Session{}, err
	}
	if created.Token == "" {
		return auth.Session{}, fmt.Errorf("%w: POST /client answered without a token", auth.ErrNotServer)
	}
	// Gotify client tokens do not expire.
	return auth.Session{Account: c.Account, Token: created.Token, Resume: strconv.FormatInt(newest, 10)}, nil
}

// Logout deletes the client that s.Token belongs to: GET /client lists the
// user's clients with their tokens, and DELETE /client/{id} removes ours. A
// token the server no longer knows (401) counts as revoked.
func (a Authenticator) Logout(ctx context.Context, s auth.Session) error {
	base, client, err := httpapi.Prepare(a.HTTPClient, s.Account)
	if err != nil {
		return err
	}
	defer httpapi.Release(a.HTTPClient, client)
	resp, err := a.withToken(ctx, client, http.MethodGet, base.JoinPath("client"), s.Token)
	if err != nil {
		return err
	}
	defer httpapi.CloseBody(resp)
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized:
		return nil
	default:
		return httpapi.StatusErr(resp)
	}
	var clients []struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
	}
	if err := httpapi.DecodeJSON(resp, maxResponse, &clients); err != nil {
		return err
	}
	for _, cl := range clients {
		if cl.Token != s.Token {
			continue
		}
		resp, err := a.withToken(ctx, client, http.MethodDelete, base.JoinPath("client", strconv.FormatInt(cl.ID, 10)), s.Token)
		if err != nil {
			return err
		}
		defer httpapi.CloseBody(resp)
		if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
			return nil
		}
		return httpapi.StatusErr(resp)
	}
	return nil // not listed: already gone
}

func (a Authenticator) withToken(ctx context.Context, client *http.Client, method string, u *url.URL, token string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Gotify-Key", token)
	return httpapi.Do(client, req)
}

// checkVersion makes sure base is a Gotify server: GET /version answers
// {"version","commit","buildDate"} without authentication.
func checkVersion(ctx context.Context, client *http.Client, base *url.URL) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.JoinPath("version").String(), nil)
	if err != nil {
		return err
	}
	var v struct {
		Version   string `json:"version"`
		BuildDate string `json:"buildDate"`
	}
	if err := httpapi.DoJSON(client, req, maxResponse, &v); err != nil {
		return err
	}
	if v.Version == "" || v.BuildDate == "" {
		return fmt.Errorf("%w: %s answers /version, but not as a Gotify server", auth.ErrNotServer, base.Host)
	}
	return nil
}

// clientName is how the token shows in Gotify's list of clients.
func clientName() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return "tasktray on " + h
	}
	return "tasktray"
}
