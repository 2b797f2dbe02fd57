package server

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// FuzzPublishBody feeds arbitrary bytes to the publish decoder, which reads
// them straight off the network. It must never panic, must refuse with
// errBadJSON or ErrInvalidTask, and anything it accepts must obey the task
// rules.
func FuzzPublishBody(f *testing.F) {
	for _, seed := range []string{
		`{"user":"alice","title":"Deploy","body":"prod","url":"https://example.com","priority":4}`,
		`{"user":"*","title":"all"}`,
		`{"user":"alice","title":"t","priority":0}`,
		`{"user":"alice","title":"t","priority":9223372036854775808}`,
		`{"user":"alice","title":"  ","url":"javascript:alert(1)"}`,
		`{"user":"alice","title":"t","url":"http://[::1"}`,
		`{"user":"alice","title":"\u0000\ud800"}`,
		`{"USER":"alice","Title":"case"}`,
		`null`, `[]`, `{}`, `{"user":`, "",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		user, in, err := decodePublish(data)
		if err != nil {
			if !errors.Is(err, errBadJSON) && !errors.Is(err, ErrInvalidTask) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if user == "" {
			t.Fatal("accepted an empty user")
		}
		if in.Title == "" || in.Title != strings.TrimSpace(in.Title) || len(in.Title) > maxTitle || len(in.Body) > maxBody {
			t.Fatalf("accepted title %q, body of %d bytes", in.Title, len(in.Body))
		}
		if in.Priority < priorityMin || in.Priority > priorityMax {
			t.Fatalf("accepted priority %d", in.Priority)
		}
		if in.URL != "" {
			u, err := url.Parse(in.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				t.Fatalf("accepted url %q", in.URL)
			}
		}
		if again, err := in.normalize(); err != nil || again != in {
			t.Fatalf("normalize is not idempotent: %+v -> %+v, %v", in, again, err)
		}
	})
}
