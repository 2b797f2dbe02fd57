package native

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"tasktray/auth"
)

const (
	// maxResponse caps what is read of any answer: the native API's are a
	// few hundred bytes, and a wrong server must not make us read a video.
	maxResponse = 64 << 10
	// loginTimeout bounds each request when Authenticator.HTTPClient is nil.
	loginTimeout = 15 * time.Second
)

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
// password for a token. Errors wrap auth.ErrBadCredentials,
// auth.ErrUnreachable, auth.ErrTLS, auth.ErrNotServer, auth.ErrInsecure or
// auth.ErrBadURL, or are the context's error when ctx is cancelled; they
// never contain the password or the token.
func (a Authenticator) Login(ctx context.Context, c auth.Credentials) (auth.Session, error) {
	if c.Username == "" || c.Password == "" {
		return auth.Session{}, fmt.Errorf("%w: both are needed", auth.ErrBadCredentials)
	}
	base, client, err := a.prepare(c.Account)
	if err != nil {
		return auth.Session{}, err
	}
	defer a.release(client)

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
	resp, err := client.Do(req)
	if err != nil {
		return auth.Session{}, requestErr(ctx, base.Host, err)
	}
	defer closeBody(resp)
	if resp.StatusCode == http.StatusUnauthorized {
		return auth.Session{}, auth.ErrBadCredentials
	}
	if resp.StatusCode != http.StatusOK {
		return auth.Session{}, statusErr(resp)
	}

	var answer struct {
		Token     string `json:"token"`
		ExpiresAt string `json:"expires_at"`
	}
	if err := decodeJSON(resp, &answer); err != nil {
		return auth.Session{}, err
	}
	if answer.Token == "" {
		return auth.Session{}, fmt.Errorf("%w: /api/login answered without a token", auth.ErrNotServer)
	}
	s := auth.Session{Account: c.Account, Token: answer.Token}
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
	base, client, err := a.prepare(s.Account)
	if err != nil {
		return err
	}
	defer a.release(client)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, apiURL(base, "logout"), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	resp, err := client.Do(req)
	if err != nil {
		return requestErr(ctx, base.Host, err)
	}
	defer closeBody(resp)
	switch resp.StatusCode {
	case http.StatusNoContent, http.StatusOK, http.StatusUnauthorized:
		return nil
	}
	return statusErr(resp)
}

// prepare checks the account's server URL and returns the HTTP base URL and
// the client to reach it with.
func (a Authenticator) prepare(acc auth.Account) (*url.URL, *http.Client, error) {
	base, err := auth.ValidateServerURL(acc.Server, acc.AllowInsecure)
	if err != nil {
		return nil, nil, err
	}
	switch base.Scheme {
	case "ws":
		base.Scheme = "http"
	case "wss":
		base.Scheme = "https"
	}

	var client http.Client
	if a.HTTPClient != nil {
		client = *a.HTTPClient
	} else {
		tlsConfig, err := auth.TLSConfig(acc)
		if err != nil {
			return nil, nil, err
		}
		transport := http.DefaultTransport.(*http.Transport).Clone()
		transport.TLSClientConfig = tlsConfig
		client = http.Client{Transport: transport, Timeout: loginTimeout}
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return base, &client, nil
}

// release closes the idle connections of a client prepare made, whose
// transport nothing else will use; a caller's own client is left alone.
func (a Authenticator) release(client *http.Client) {
	if a.HTTPClient == nil {
		client.CloseIdleConnections()
	}
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
	resp, err := client.Do(req)
	if err != nil {
		return requestErr(ctx, req.URL.Host, err)
	}
	defer closeBody(resp)
	if resp.StatusCode != http.StatusOK {
		return statusErr(resp)
	}
	return decodeJSON(resp, v)
}

// decodeJSON decodes at most maxResponse bytes of resp's body into v.
func decodeJSON(resp *http.Response, v any) error {
	err := json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(v)
	if err == nil {
		return nil
	}
	what := "something that is not JSON"
	if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "text/html") {
		what = "a web page"
	}
	return fmt.Errorf("%w: %s answered %s with %s", auth.ErrNotServer, resp.Request.URL.Host, resp.Request.URL.Path, what)
}

// closeBody drains a little of the body so the connection can be reused,
// then closes it.
func closeBody(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	resp.Body.Close()
}

// statusErr words an unexpected HTTP status.
func statusErr(resp *http.Response) error {
	where := resp.Request.URL.Host + resp.Request.URL.Path
	switch code := resp.StatusCode; {
	case code >= 300 && code < 400:
		// Show only where it points, not the whole Location: it is the
		// server's text, and the scheme and host are what the user needs.
		loc, err := resp.Location()
		if err != nil {
			return fmt.Errorf("%w: %s redirects (%s)", auth.ErrNotServer, where, resp.Status)
		}
		return fmt.Errorf("%w: %s redirects to %s://%s; use that address", auth.ErrNotServer, where, loc.Scheme, loc.Host)
	case code == http.StatusTooManyRequests || code >= 500:
		return fmt.Errorf("%w: %s answered %s; try again later", auth.ErrUnreachable, where, resp.Status)
	}
	return fmt.Errorf("%w: %s answered %s", auth.ErrNotServer, where, resp.Status)
}

// requestErr sorts a failed request into the auth errors. It builds its own
// words rather than wrapping err: net/http's errors quote the request URL,
// which is harmless here, but a message of our own says what to do.
func requestErr(ctx context.Context, host string, err error) error {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return ctx.Err()
	}
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
		record    tls.RecordHeaderError
		alert     tls.AlertError
		dns       *net.DNSError
		netErr    net.Error
	)
	switch {
	case errors.As(err, &unknownCA):
		return fmt.Errorf("%w: the certificate of %s is not signed by an authority this computer trusts; for a self-signed server, set its CA file", auth.ErrTLS, host)
	case errors.As(err, &hostname):
		return fmt.Errorf("%w: the certificate of %s is for another host name", auth.ErrTLS, host)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return fmt.Errorf("%w: the certificate of %s has expired or is not valid yet", auth.ErrTLS, host)
	case errors.As(err, &invalid), errors.As(err, &verify):
		return fmt.Errorf("%w: the certificate of %s is not valid", auth.ErrTLS, host)
	case errors.As(err, &record), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return fmt.Errorf("%w: %s does not speak TLS; check the port, or use http:// for a server on this computer", auth.ErrTLS, host)
	case errors.As(err, &alert):
		return fmt.Errorf("%w: %s refused the TLS handshake (%v)", auth.ErrTLS, host, alert)
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return fmt.Errorf("%w: no host named %s", auth.ErrUnreachable, dns.Name)
		}
		return fmt.Errorf("%w: cannot look up %s", auth.ErrUnreachable, dns.Name)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("%w: nothing is listening at %s (connection refused)", auth.ErrUnreachable, host)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("%w: %s did not answer in time", auth.ErrUnreachable, host)
	case strings.Contains(err.Error(), "malformed HTTP"):
		return fmt.Errorf("%w: %s does not speak HTTP", auth.ErrNotServer, host)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return fmt.Errorf("%w: cannot talk to %s (%v)", auth.ErrUnreachable, host, err)
}
