package logfile

import (
	"log/slog"
	"strings"
)

// secretWords are parts of attribute keys whose values are never written.
var secretWords = []string{"token", "password", "passwd", "secret", "authorization", "cookie"}

// Redacted replaces the value of an attribute that names a secret.
const Redacted = "[redacted]"

// Redact is a slog ReplaceAttr: it writes Redacted for the value of any
// attribute whose key names a secret, whatever its group.
func Redact(_ []string, a slog.Attr) slog.Attr {
	key := strings.ToLower(a.Key)
	for _, w := range secretWords {
		if strings.Contains(key, w) {
			return slog.String(a.Key, Redacted)
		}
	}
	return a
}
