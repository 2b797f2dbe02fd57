package ntfy

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// A real ntfy answers a request overlapped by another from the same
// address as if it had no user: 403, or 401 where a user is required
// (ensureUser), a login's token creation among them. A login's client
// takes a 401 that does not persist for that; other clients do not (a 401
// there means the token is gone), and one that persists stays a 401.
func TestOverlapRetryTakesALoginsPassing401(t *testing.T) {
	for _, c := range []struct {
		name         string
		unauthorized bool
		refusals     int // 401s before a 200
		wantStatus   int
		wantTries    int32
	}{
		{"login, one spoiled", true, 1, http.StatusOK, 2},
		{"login, spoiled thrice", true, overlapTries - 1, http.StatusOK, overlapTries},
		{"login, wrong password", true, 1 << 30, http.StatusUnauthorized, overlapTries},
		{"stream, token gone", false, 1, http.StatusUnauthorized, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			var tries atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n := tries.Add(1); int(n) <= c.refusals {
					http.Error(w, `{"code":40101,"http":401,"error":"unauthorized"}`, http.StatusUnauthorized)
					return
				}
				w.Write([]byte(`{"token":"tk_x"}`))
			}))
			defer srv.Close()
			client := withOverlapRetry(srv.Client(), c.unauthorized)
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/v1/account/token", strings.NewReader(`{"label":"tasktray"}`))
			if err != nil {
				t.Fatal(err)
			}
			req.SetBasicAuth("alice", "pw")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.wantStatus || tries.Load() != c.wantTries {
				t.Errorf("status %d after %d tries, want %d after %d", resp.StatusCode, tries.Load(), c.wantStatus, c.wantTries)
			}
		})
	}
}
