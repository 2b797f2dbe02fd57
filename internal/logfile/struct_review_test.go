package logfile

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

type reviewFile2 struct{ bytes.Buffer }

func (*reviewFile2) Close() error { return nil }

// Secret fields inside a struct or a header map, under a key that names no
// secret, and a secret key inside a group and under WithAttrs.
func TestReviewSecretInsideValues(t *testing.T) {
	const secret = "s3cretTOKENvalue"
	f := &reviewFile2{}
	l, _ := New(Options{File: f})
	l.With("access_token", secret).WithGroup("auth").Warn("a", "token", secret)
	l.Warn("b", "session", struct{ User, Token string }{"alice", secret})
	l.Warn("c", "headers", http.Header{"Authorization": {"Bearer " + secret}})
	l.Close()
	for i, line := range strings.Split(f.String(), "\n") {
		if strings.Contains(line, secret) {
			t.Errorf("line %d has the secret: %s", i, line)
		}
	}
}
