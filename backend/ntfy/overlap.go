package ntfy

import (
	"errors"
	"io"
	"net/http"
	"time"
)

// overlapTries bounds the tries of one request that overlapping requests
// from the same address may spoil (see overlapRetry).
const overlapTries = 4

// overlapPause is the pause before the second try; it doubles each time.
const overlapPause = 50 * time.Millisecond

// overlapRetry is an http.RoundTripper that tries a request again when a
// real ntfy spoiled it because another request from the same address
// overlapped it. ntfy keeps one "visitor" per address for users without a
// tier and sets its user to each request's as that request starts (to
// none first), so a request overlapped by another can find no user: a read
// check is refused with 403, and a token creation panics in the server,
// which closes the connection without an answer (measured: 1 login in
// about 65 with 8 publishers on the same address), or a reverse proxy in
// front of it answers 502 for it. A login (basic auth) can be answered 401
// for the same reason: ntfy's ensureUser refuses a request whose visitor
// has no user (measured: login 76 of 100 with 8 publishers on the address),
// so a login's client takes a 401 for spoiled too. A 403 (or a login's
// 401) that persists over overlapTries is a real one: a wrong password
// costs overlapTries refusals on the server. Only requests whose body can be sent
// again are tried again, and never after ctx ended.
type overlapRetry struct {
	base         http.RoundTripper
	unauthorized bool // a 401 may be spoiled too (a login's requests)
}

// withOverlapRetry returns a copy of c whose requests go through
// overlapRetry; unauthorized says whether a 401 may be spoiled (a login's
// requests; elsewhere a 401 means the token is no longer good).
func withOverlapRetry(c *http.Client, unauthorized bool) *http.Client {
	cc := *c
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cc.Transport = overlapRetry{base: base, unauthorized: unauthorized}
	return &cc
}

func (o overlapRetry) RoundTrip(req *http.Request) (*http.Response, error) {
	pause := overlapPause
	for try := 1; ; try++ {
		attempt := req
		if try > 1 {
			if req.Body != nil && req.GetBody == nil {
				return nil, errors.New("ntfy: cannot send the request again")
			}
			attempt = req.Clone(req.Context())
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				attempt.Body = body
			}
		}
		resp, err := o.base.RoundTrip(attempt)
		spoiled := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
			err == nil && (resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusBadGateway ||
				o.unauthorized && resp.StatusCode == http.StatusUnauthorized)
		if !spoiled || try == overlapTries || (req.Body != nil && req.GetBody == nil) {
			return resp, err
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
			resp.Body.Close()
		}
		t := time.NewTimer(pause)
		select {
		case <-req.Context().Done():
			t.Stop()
			return nil, req.Context().Err()
		case <-t.C:
		}
		pause *= 2
	}
}

// CloseIdleConnections closes the idle connections of the transport under
// it, so that releasing a login's client still does.
func (o overlapRetry) CloseIdleConnections() {
	if c, ok := o.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
