package ntfy

import (
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

// The HTTP plumbing below is the same in backend/gotify, backend/ntfy and
// backend/centrifugo (and close to backend/native): each kind package stands
// alone.

const (
	// maxResponse caps what is read of any answer (a page of 100 Gotify
	// messages is well under it): a wrong server must not make us read a
	// video.
	maxResponse = 4 << 20
	// requestTimeout bounds each request when no HTTP client is given.
	requestTimeout = 15 * time.Second
)

// httpClient returns a copy of hc (or a new client trusting acc's CA file)
// that never follows redirects: a 307 would resend the password or the
// token header to wherever it points.
func httpClient(hc *http.Client, acc auth.Account) (*http.Client, error) {
	var c http.Client
	if hc != nil {
		c = *hc
	} else {
		tc, err := auth.TLSConfig(acc)
		if err != nil {
			return nil, err
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = tc
		c = http.Client{Transport: tr, Timeout: requestTimeout}
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c, nil
}

// release closes the idle connections of a client httpClient made for one
// call (hc nil): nothing else will use its transport.
func release(hc, client *http.Client) {
	if hc == nil {
		client.CloseIdleConnections()
	}
}

// httpBase checks the account's server URL and returns it with an http or
// https scheme.
func httpBase(acc auth.Account) (*url.URL, error) {
	u, err := auth.ValidateServerURL(acc.Server, acc.AllowInsecure)
	if err != nil {
		return nil, err
	}
	switch u.Scheme {
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	}
	return u, nil
}

// do sends req and sorts a transport failure into the auth errors.
func do(client *http.Client, req *http.Request) (*http.Response, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, requestErr(req.Context(), req.URL.Host, err)
	}
	return resp, nil
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
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// statusErr words an unexpected HTTP status. It names the host and path,
// never the query or a header.
func statusErr(resp *http.Response) error {
	where := resp.Request.URL.Host + resp.Request.URL.Path
	switch code := resp.StatusCode; {
	case code >= 300 && code < 400:
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

// requestErr sorts a failed request into the auth errors, in words of its
// own: net/http's errors quote the whole URL.
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
		dns       *net.DNSError
		netErr    net.Error
	)
	switch {
	case errors.As(err, &unknownCA):
		return fmt.Errorf("%w: the certificate of %s is not signed by an authority this computer trusts; for a self-signed server, set its CA file", auth.ErrTLS, host)
	case errors.As(err, &hostname):
		return fmt.Errorf("%w: the certificate of %s is for another host name", auth.ErrTLS, host)
	case errors.As(err, &invalid), errors.As(err, &verify):
		return fmt.Errorf("%w: the certificate of %s is not valid", auth.ErrTLS, host)
	case errors.As(err, &record), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return fmt.Errorf("%w: %s does not speak TLS; check the port, or use http:// for a server on this computer", auth.ErrTLS, host)
	case errors.As(err, &dns):
		return fmt.Errorf("%w: cannot find the host %s", auth.ErrUnreachable, dns.Name)
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
