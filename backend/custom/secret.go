package custom

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/websocket"

	"tasktray/conn"
)

// redacted replaces a secret in every text this package lets out.
const redacted = "[redacted]"

// secretForms lists how a token may appear in a text: as is, escaped for a
// query or a path, and, for a cookie token, each cookie's value.
func secretForms(token string) []string {
	if token == "" {
		return nil
	}
	forms := []string{token, url.QueryEscape(token), url.PathEscape(token)}
	if strings.Contains(token, "=") {
		for _, c := range strings.Split(token, ";") {
			if _, v, ok := strings.Cut(strings.TrimSpace(c), "="); ok && v != "" {
				forms = append(forms, v, url.QueryEscape(v))
			}
		}
	}
	return forms
}

// Redact returns s with every form of token replaced by [redacted].
func Redact(s, token string) string {
	for _, f := range secretForms(token) {
		s = strings.ReplaceAll(s, f, redacted)
	}
	return s
}

// RedactURL returns rawURL, a URL this profile's templates made, with the
// values of its query and the path segment that holds the token replaced:
// what a log line may show of it. It needs no token, so it is safe for a
// URL whose token is unknown.
func (p *Protocol) RedactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(a URL that cannot be read)"
	}
	u.User = nil
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q[k] = []string{"x"}
		}
		u.RawQuery = strings.ReplaceAll(q.Encode(), "=x", "="+redacted)
	}
	if p.Connect.TokenIn == TokenInPath {
		tmpl := strings.Split(p.tmplPath, "/")
		segs := strings.Split(u.EscapedPath(), "/")
		for i, t := range tmpl {
			if i < len(segs) && strings.Contains(t, placeholder) {
				segs[i] = redacted
			}
		}
		u.RawPath, u.Path = "", strings.Join(segs, "/")
	}
	return strings.ReplaceAll(u.String(), url.PathEscape(redacted), redacted)
}

// redactedErr is an error whose text went through Redact; errors.Is and
// errors.As still see the original.
type redactedErr struct {
	msg string
	err error
}

func (e *redactedErr) Error() string { return e.msg }
func (e *redactedErr) Unwrap() error { return e.err }

// WrapDialer returns a conn.Dialer that dials with d and whose errors
// carry neither the URL nor the token: with the token in the URL, an error
// that quotes the URL (as url.Parse's do) would put it in the log.
func (p *Protocol) WrapDialer(d conn.Dialer) conn.Dialer {
	return redactingDialer{p: p, d: d}
}

type redactingDialer struct {
	p *Protocol
	d conn.Dialer
}

// DialContext dials and scrubs the error.
func (r redactingDialer) DialContext(ctx context.Context, rawURL string, h http.Header) (*websocket.Conn, *http.Response, error) {
	ws, resp, err := r.d.DialContext(ctx, rawURL, h)
	if err != nil {
		err = r.p.scrub(err, rawURL, h)
	}
	return ws, resp, err
}

// scrub rewrites err's text without rawURL, the token it holds, or the
// secret headers in h.
func (p *Protocol) scrub(err error, rawURL string, h http.Header) error {
	msg := err.Error()
	safe := p.RedactURL(rawURL)
	msg = strings.ReplaceAll(msg, rawURL, safe)
	if tok := p.tokenFrom(rawURL, h); tok != "" {
		msg = Redact(msg, tok)
	}
	for _, k := range []string{"Authorization", "Cookie", "Sec-WebSocket-Protocol", p.Connect.Header} {
		for _, v := range h.Values(k) {
			if v != "" {
				msg = strings.ReplaceAll(msg, v, redacted)
			}
		}
	}
	if msg == err.Error() {
		return err
	}
	return &redactedErr{msg: msg, err: err}
}

// tokenFrom finds the token in a handshake this profile made, so that it
// can be scrubbed even where a library wrote it in its own way.
func (p *Protocol) tokenFrom(rawURL string, h http.Header) string {
	c := p.Connect
	switch c.TokenIn {
	case TokenInHeader:
		return strings.TrimPrefix(h.Get(c.Header), c.Prefix)
	case TokenInCookie:
		return h.Get("Cookie")
	case TokenInSubprotocol:
		for _, s := range c.Subprotocols {
			if strings.Contains(s, tokenVar) {
				pre, post, _ := strings.Cut(s, tokenVar)
				for _, v := range strings.Split(h.Get("Sec-WebSocket-Protocol"), ",") {
					v = strings.TrimSpace(v)
					if strings.HasPrefix(v, pre) && strings.HasSuffix(v, post) && len(v) > len(pre)+len(post) {
						return v[len(pre) : len(v)-len(post)]
					}
				}
			}
		}
		return ""
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	if c.TokenIn == TokenInQuery {
		tq, _ := url.ParseQuery(p.tmplQuery)
		q := u.Query()
		for k, vs := range tq {
			if len(vs) > 0 && strings.Contains(vs[0], placeholder) {
				pre, post, _ := strings.Cut(vs[0], placeholder)
				v := q.Get(k)
				if strings.HasPrefix(v, pre) && strings.HasSuffix(v, post) && len(v) >= len(pre)+len(post) {
					return v[len(pre) : len(v)-len(post)]
				}
			}
		}
		return ""
	}
	tmpl := strings.Split(p.tmplPath, "/")
	segs := strings.Split(u.Path, "/")
	for i, t := range tmpl {
		if i < len(segs) && strings.Contains(t, placeholder) {
			pre, post, _ := strings.Cut(t, placeholder)
			v := segs[i]
			if strings.HasPrefix(v, pre) && strings.HasSuffix(v, post) && len(v) >= len(pre)+len(post) {
				return v[len(pre) : len(v)-len(post)]
			}
		}
	}
	return ""
}
