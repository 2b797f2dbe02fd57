package centrifugo

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tasktray/auth"
	"tasktray/conn"
)

// refreshEndpoint follows the documented contract for a refresh: a POST
// with "Authorization: Bearer <current token>" answers {"token"} while that
// token is still good, 401 when the site no longer renews it.
func refreshEndpoint(t *testing.T, current, renewed string, refuse *atomic.Bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer "+current || refuse.Load() {
			http.Error(w, `{"error":"log in again"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"token": renewed})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func refreshingProtocol(t *testing.T, tokenURL string) *Protocol {
	t.Helper()
	p, err := New(auth.Account{Server: "http://127.0.0.1:1", Username: "alice", Options: map[string]string{OptionTokenURL: tokenURL}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The connect reply says the token expires: the session asks to refresh it
// a little before, when it can (a token URL) (defect 14).
func TestConnectSchedulesRefresh(t *testing.T) {
	p := refreshingProtocol(t, "http://127.0.0.1:1/token")
	for _, c := range []struct {
		frame string
		want  time.Duration
	}{
		{recordedConnect, 2880 * time.Second}, // ttl 3600
		{strings.Replace(recordedConnect, `"ttl":3600`, `"ttl":5`, 1), 4 * time.Second},
		{strings.Replace(recordedConnect, `"ttl":3600`, `"ttl":1`, 1), time.Second},
		{`{"id":1,"connect":{"client":"c","version":"6.9.1 OSS","ping":25,"pong":true}}`, 0}, // no exp
	} {
		s := p.NewSession("jwt", "").(*session)
		if d := decode(t, s, c.frame); d.RefreshIn != c.want {
			t.Errorf("%s: RefreshIn %v, want %v", c.frame, d.RefreshIn, c.want)
		}
	}
	// A pasted token (no token URL) cannot be refreshed.
	if d := decode(t, newSession(""), recordedConnect); d.RefreshIn != 0 {
		t.Errorf("pasted token: RefreshIn %v", d.RefreshIn)
	}
}

// Refresh trades the current token for a new one at the token endpoint and
// hands it to the server with a refresh command, whose reply schedules the
// next refresh.
func TestRefresh(t *testing.T) {
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	current := jwt(map[string]any{"sub": "alice", "exp": time.Now().Add(time.Minute).Unix()})
	renewed := jwt(map[string]any{"sub": "alice", "exp": exp.Unix()})
	var refuse atomic.Bool
	srv := refreshEndpoint(t, current, renewed, &refuse)
	s := refreshingProtocol(t, srv.URL+"/token").NewSession(current, "").(*session)
	var r conn.Refresher = s
	d, err := r.Refresh(context.Background(), current)
	if err != nil {
		t.Fatal(err)
	}
	if d.Token == nil || d.Token.Token != renewed || !d.Token.ExpiresAt.Equal(exp) {
		t.Fatalf("renewal %+v", d.Token)
	}
	if want := `{"id":5,"refresh":{"token":"` + renewed + `"}}`; replies(d) != want {
		t.Errorf("reply %s, want %s", replies(d), want)
	}
	if len(d.Tasks) != 0 || d.RefreshIn != 0 {
		t.Errorf("got %+v", d)
	}
	d = decode(t, s, recordedRefreshed)
	if d.RefreshIn != 4*time.Second {
		t.Errorf("refresh reply: RefreshIn %v, want 4s", d.RefreshIn)
	}

	// The site no longer renews it: log in again, without the token in the error.
	refuse.Store(true)
	_, err = r.Refresh(context.Background(), current)
	if !errors.Is(err, conn.ErrUnauthorized) || strings.Contains(err.Error(), current) {
		t.Errorf("refused: %v, want ErrUnauthorized without the token", err)
	}
	// An endpoint that is down is not a refusal: conn tries again.
	srv.Close()
	if _, err := r.Refresh(context.Background(), current); err == nil || errors.Is(err, conn.ErrUnauthorized) {
		t.Errorf("endpoint down: %v, want a plain error", err)
	}
}

// A refresh the server refuses as expired asks for a login; any other
// refusal costs a reconnect, which connects with the new token.
func TestRefreshReplyErrors(t *testing.T) {
	s := newSession("")
	if _, err := s.Decode([]byte(`{"id":5,"error":{"code":109,"message":"token expired"}}`)); !errors.Is(err, conn.ErrUnauthorized) {
		t.Errorf("109: %v", err)
	}
	if _, err := s.Decode([]byte(`{"id":5,"error":{"code":108,"message":"not available"}}`)); err == nil || errors.Is(err, conn.ErrUnauthorized) {
		t.Errorf("108: %v", err)
	}
}
