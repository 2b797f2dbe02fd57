package logfile

import (
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
)

// secretWords are parts of attribute keys whose values are never written.
var secretWords = []string{"token", "password", "passwd", "secret", "authorization", "cookie"}

// Redacted replaces the value of an attribute that names a secret.
const Redacted = "[redacted]"

// secretPatterns are compiled at the first line that needs them, not at
// every start of the agent, whose first line comes after it connected.
var secretPatterns = sync.OnceValue(func() (p struct{ inURL, inUserinfo, field, bearer *regexp.Regexp }) {
	// inURL finds a query parameter whose name says it holds a secret
	// (?token=, &access_token=, ?auth=, ?key=, ?sig=): browser-era backends
	// and ntfy take the token there, and dial errors quote the URL.
	p.inURL = regexp.MustCompile(`(?i)([?&;][a-z0-9_.-]*(?:token|auth|key|pass|secret|sig|session|jwt|ticket)[a-z0-9_.-]*=)[^&;#\s"'<>]+`)
	// inUserinfo finds the password of scheme://user:password@host.
	p.inUserinfo = regexp.MustCompile(`(://[^/:@\s"']*:)[^@/\s"']+@`)
	// field finds a field that names a secret in a rendered struct or map
	// ({Token:abc}, map[Authorization:[Bearer abc]], "password": "x").
	p.field = regexp.MustCompile(`(?i)("?[a-z_]*(?:token|password|passwd|secret|authorization|cookie)[a-z_]*"?\s*[:=]\s*"?\[?)(?:bearer\s+)?[^\s,}\]"&;#]+`)
	// bearer finds a bearer credential anywhere.
	p.bearer = regexp.MustCompile(`(?i)(bearer\s+)[a-z0-9._~+/=-]+`)
	return p
})

// Redact is a slog ReplaceAttr: it writes Redacted for the value of any
// attribute whose key names a secret, whatever its group, and, as a second
// line of defence, cuts a secret out of any other value that carries one
// where secrets are usually found: a URL's query or userinfo, a bearer
// credential, a struct's or map's field named for a secret.
func Redact(_ []string, a slog.Attr) slog.Attr {
	key := strings.ToLower(a.Key)
	for _, w := range secretWords {
		if strings.Contains(key, w) {
			return slog.String(a.Key, Redacted)
		}
	}
	switch v := a.Value; v.Kind() {
	case slog.KindString:
		if s := redactText(v.String()); s != v.String() {
			return slog.String(a.Key, s)
		}
	case slog.KindAny:
		var text string
		switch x := v.Any().(type) {
		case error:
			text = x.Error()
		case fmt.Stringer:
			text = x.String()
		default:
			text = fmt.Sprintf("%+v", x)
		}
		if s := redactText(text); s != text {
			return slog.String(a.Key, s)
		}
	}
	return a
}

// redactText applies the patterns in an order in which none re-matches
// what an earlier one wrote: a field first (it takes a bearer credential
// whole), then URLs, then a bearer credential left anywhere else.
func redactText(s string) string {
	p := secretPatterns()
	s = p.field.ReplaceAllString(s, "${1}"+Redacted)
	s = p.inURL.ReplaceAllString(s, "${1}"+Redacted)
	s = p.inUserinfo.ReplaceAllString(s, "${1}"+Redacted+"@")
	s = p.bearer.ReplaceAllString(s, "${1}"+Redacted)
	return s
}
