package centrifugo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tasktray/auth"
)

const testPassword = "correct-horse-battery"

// jwt builds an unsigned-looking token with the given claims; Login never
// checks signatures (the server does).
func jwt(claims map[string]any) string {
	b, _ := json.Marshal(claims)
	return "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + base64.RawURLEncoding.EncodeToString(b) + ".c2lnbmF0dXJl"
}

func creds(server, password string, options map[string]string) auth.Credentials {
	return auth.Credentials{Account: auth.Account{Kind: "centrifugo", Server: server, Username: "alice", Options: options}, Password: password}
}

func TestLoginPastedToken(t *testing.T) {
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	token := jwt(map[string]any{"sub": "alice", "exp": exp.Unix()})
	s, err := Authenticator{}.Login(context.Background(), creds("https://rt.example.com", token, nil))
	if err != nil {
		t.Fatal(err)
	}
	if s.Token != token || !s.ExpiresAt.Equal(exp) {
		t.Errorf("session token ok %v, expires %v, want %v", s.Token == token, s.ExpiresAt, exp)
	}
	if s, err := (Authenticator{}).Login(context.Background(), creds("https://rt.example.com", jwt(map[string]any{"sub": "alice"}), nil)); err != nil || !s.ExpiresAt.IsZero() {
		t.Errorf("token without exp: %v, expires %v", err, s.ExpiresAt)
	}

	expired := jwt(map[string]any{"sub": "alice", "exp": time.Now().Add(-time.Minute).Unix()})
	for _, pw := range []string{expired, testPassword, "a.b.c", "a.!!!.c"} {
		_, err := Authenticator{}.Login(context.Background(), creds("https://rt.example.com", pw, nil))
		if !errors.Is(err, auth.ErrBadCredentials) || strings.Contains(err.Error(), pw) {
			t.Errorf("password %.10q…: %v, want ErrBadCredentials without it", pw, err)
		}
	}
}

// tokenEndpoint follows the documented contract: POST {"username",
// "password"} -> {"token"}; 401 for wrong credentials.
func tokenEndpoint(t *testing.T, token string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Username, Password string }
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&req) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if req.Username != "alice" || req.Password != testPassword {
			http.Error(w, `{"error":"wrong username or password"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"token": token})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestLoginTokenURL(t *testing.T) {
	token := jwt(map[string]any{"sub": "alice", "exp": time.Now().Add(time.Hour).Unix()})
	srv := tokenEndpoint(t, token)
	opts := map[string]string{OptionTokenURL: srv.URL + "/centrifugo/token"}
	s, err := Authenticator{}.Login(context.Background(), creds("https://rt.example.com", testPassword, opts))
	if err != nil {
		t.Fatal(err)
	}
	if s.Token != token || s.ExpiresAt.IsZero() || s.Options[OptionTokenURL] == "" {
		t.Errorf("session %+v", s)
	}
	_, err = Authenticator{}.Login(context.Background(), creds("https://rt.example.com", "wrong-"+testPassword, opts))
	if !errors.Is(err, auth.ErrBadCredentials) || strings.Contains(err.Error(), testPassword) {
		t.Errorf("wrong password: %v", err)
	}

	notJWT := tokenEndpoint(t, "opaque")
	_, err = Authenticator{}.Login(context.Background(), creds("https://rt.example.com", testPassword, map[string]string{OptionTokenURL: notJWT.URL}))
	if !errors.Is(err, auth.ErrNotServer) {
		t.Errorf("endpoint answering a non-JWT: %v, want ErrNotServer", err)
	}
	_, err = Authenticator{}.Login(context.Background(), creds("https://rt.example.com", testPassword, map[string]string{OptionTokenURL: "http://tokens.example.com/t"}))
	if !errors.Is(err, auth.ErrInsecure) {
		t.Errorf("plain http token URL to another host: %v, want ErrInsecure", err)
	}
}

func TestLogoutNotSupported(t *testing.T) {
	if err := (Authenticator{}).Logout(context.Background(), auth.Session{}); !errors.Is(err, auth.ErrNotSupported) {
		t.Errorf("Logout = %v", err)
	}
}
