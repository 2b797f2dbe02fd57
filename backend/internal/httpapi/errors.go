package httpapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"tasktray/auth"
	"tasktray/internal/neterr"
)

// StatusErr words an unexpected HTTP status: 3xx and most 4xx wrap
// auth.ErrNotServer, 429 and 5xx auth.ErrUnreachable. It names the host and
// path, never the query or a header.
func StatusErr(resp *http.Response) error {
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

// RequestErr sorts a request to host that failed with err into the auth
// errors, or returns ctx's error when ctx was cancelled. It builds its own
// words rather than wrapping err: net/http's errors quote the whole URL,
// query included, and a message of our own says what to do.
func RequestErr(ctx context.Context, host string, err error) error {
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
	case neterr.Refused(err): // not syscall.ECONNREFUSED: Windows answers WSAECONNREFUSED
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
