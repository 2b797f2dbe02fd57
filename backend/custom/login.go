package custom

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/tidwall/gjson"

	"tasktray/auth"
	"tasktray/backend/internal/httpapi"
)

// maxLoginAnswer caps what is read of a login answer.
const maxLoginAnswer = 256 << 10

// Authenticator logs in the way the profile says, or, for a profile
// without [login], takes the password field as a pasted token.
type Authenticator struct {
	Profile *Profile
	// HTTPClient makes the request; nil means one with a 15 s timeout that
	// trusts the account's CA file. Redirects are never followed: a 302
	// would resend the password, and its Set-Cookie is what a form login
	// answers with.
	HTTPClient *http.Client
}

var _ auth.Authenticator = Authenticator{}

// NewAuthenticator returns the Authenticator for the account's profile.
func NewAuthenticator(a auth.Account) (Authenticator, error) {
	p, err := FromAccount(a)
	if err != nil {
		return Authenticator{}, err
	}
	return Authenticator{Profile: p}, nil
}

// Login trades the username and password for a token: the profile's JSON
// path, response header, or every cookie the answer sets (kept together as
// one token, "name=value; name=value": they are secrets). Without a
// [login] section the password is the token. Errors wrap the auth errors
// and never hold the password or the token. The session's Server is the
// profile's server (ServerURL) when the account names none.
func (a Authenticator) Login(ctx context.Context, c auth.Credentials) (auth.Session, error) {
	if err := c.Check(); err != nil {
		return auth.Session{}, err
	}
	p := a.Profile
	if p == nil {
		return auth.Session{}, msgNoProfile.Err(ErrProfile)
	}
	s := auth.Session{Account: c.Account}
	if s.Server == "" {
		s.Server = p.ServerURL()
	}
	if p.Login == nil {
		s.Token = strings.TrimSpace(c.Password)
		return a.withResume(ctx, s)
	}
	l := p.Login
	client, err := httpapi.Client(a.HTTPClient, c.Account)
	if err != nil {
		return auth.Session{}, err
	}
	defer httpapi.Release(a.HTTPClient, client)

	body, contentType, err := loginBody(l, c.Username, c.Password)
	if err != nil {
		return auth.Session{}, err
	}
	req, err := http.NewRequestWithContext(ctx, l.Method, l.URL, bytes.NewReader(body))
	if err != nil {
		return auth.Session{}, fieldErr("login.url", msgCheck20)
	}
	for k, v := range l.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", contentType)
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json, */*")
	}
	resp, err := httpapi.Do(client, req)
	if err != nil {
		return auth.Session{}, err
	}
	defer httpapi.CloseBody(resp)
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300 ||
		l.TokenFrom == "cookies" && resp.StatusCode >= 300 && resp.StatusCode < 400
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return auth.Session{}, auth.ErrBadCredentials
	case !ok:
		return auth.Session{}, httpapi.StatusErr(resp)
	}
	switch l.TokenFrom {
	case "json":
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxLoginAnswer))
		if err != nil {
			return auth.Session{}, httpapi.RequestErr(ctx, req.URL.Host, err)
		}
		if !gjson.ValidBytes(b) {
			return auth.Session{}, fmt.Errorf("%w: %s answered %s with something that is not JSON", auth.ErrNotServer, req.URL.Host, req.URL.Path)
		}
		s.Token = gjson.GetBytes(b, l.TokenPath).String()
	case "header":
		s.Token = strings.TrimPrefix(resp.Header.Get(l.TokenHeader), l.TokenPrefix)
	case "cookies":
		s.Token = cookieToken(resp.Cookies())
	}
	s.Token = strings.TrimSpace(s.Token)
	if s.Token == "" {
		return auth.Session{}, fmt.Errorf("%w: the login answer holds no token where the profile looks (login.token_from = %q); check the profile if the password is right",
			auth.ErrBadCredentials, l.TokenFrom)
	}
	return a.withResume(ctx, s)
}

// withResume sets s.Resume to where the backend's history stands, with a
// missed_url, so that a task published between the login and the first
// task is fetched after a dropped link. A backend that cannot say leaves it
// empty: the login itself worked.
func (a Authenticator) withResume(ctx context.Context, s auth.Session) (auth.Session, error) {
	p, err := NewProtocol(a.Profile, s.Account)
	if err != nil || p.missed == nil {
		return s, err
	}
	if a.HTTPClient != nil {
		p.missed.client = a.HTTPClient
	}
	s.Resume, err = p.HistoryNow(ctx, s.Token)
	if err != nil && ctx.Err() != nil {
		return auth.Session{}, ctx.Err()
	}
	return s, nil
}

// loginBody is the login request's body: JSON or a form.
func loginBody(l *Login, username, password string) ([]byte, string, error) {
	if l.Body == "form" {
		v := url.Values{}
		for k, f := range l.Fields {
			v.Set(k, f)
		}
		v.Set(l.UsernameField, username)
		v.Set(l.PasswordField, password)
		return []byte(v.Encode()), "application/x-www-form-urlencoded", nil
	}
	m := map[string]string{}
	for k, f := range l.Fields {
		m[k] = f
	}
	m[l.UsernameField] = username
	m[l.PasswordField] = password
	b, err := json.Marshal(m)
	return b, "application/json", err
}

// cookieToken keeps every cookie the login set, as a Cookie header.
func cookieToken(cs []*http.Cookie) string {
	var parts []string
	for _, c := range cs {
		if c.Value != "" && c.MaxAge >= 0 {
			parts = append(parts, c.Name+"="+c.Value)
		}
	}
	return strings.Join(parts, "; ")
}

// Logout is not supported: a profile names no logout address. The token is
// forgotten locally.
func (a Authenticator) Logout(context.Context, auth.Session) error { return auth.ErrNotSupported }

// ServerURL is the backend's address as an account names it: the scheme
// (https or http) and host of the WebSocket URL. It holds no token.
func (p *Profile) ServerURL() string {
	u, err := url.Parse(strings.ReplaceAll(p.Connect.URL, tokenVar, placeholder))
	if err != nil {
		return ""
	}
	scheme := "https"
	if u.Scheme == "ws" {
		scheme = "http"
	}
	return scheme + "://" + strings.ToLower(u.Host)
}
