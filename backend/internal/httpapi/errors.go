package httpapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
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
			return msgRedirects.Err(auth.ErrNotServer, where, resp.Status)
		}
		return msgRedirectsTo.Err(auth.ErrNotServer, where, loc.Scheme, loc.Host)
	case code == http.StatusTooManyRequests || code >= 500:
		return msgTryLater.Err(auth.ErrUnreachable, where, resp.Status)
	}
	return msgAnswered.Err(auth.ErrNotServer, where, resp.Status)
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
		return msgUnknownCA.Err(auth.ErrTLS, host)
	case errors.As(err, &hostname):
		return msgOtherHostName.Err(auth.ErrTLS, host)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return msgExpired.Err(auth.ErrTLS, host)
	case errors.As(err, &invalid), errors.As(err, &verify):
		return msgInvalidCert.Err(auth.ErrTLS, host)
	case errors.As(err, &record), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return msgNoTLS.Err(auth.ErrTLS, host)
	case errors.As(err, &alert):
		return msgHandshakeRefuse.Err(auth.ErrTLS, host, alert)
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return msgNoSuchHost.Err(auth.ErrUnreachable, dns.Name)
		}
		return msgLookupFailed.Err(auth.ErrUnreachable, dns.Name)
	case neterr.Refused(err): // not syscall.ECONNREFUSED: Windows answers WSAECONNREFUSED
		return msgRefused.Err(auth.ErrUnreachable, host)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return msgTimeout.Err(auth.ErrUnreachable, host)
	case strings.Contains(err.Error(), "malformed HTTP"):
		return msgNoHTTP.Err(auth.ErrNotServer, host)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return msgCannotTalk.Err(auth.ErrUnreachable, host, err)
}
