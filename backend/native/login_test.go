package native

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/crypto/bcrypt"

	"tasktray/auth"
	"tasktray/server"
)

const (
	testPassword = "correct-horse-battery"
	testToken    = "tok-0123456789abcdef"
)

// noLeaks checks, after the test's own cleanups, that no goroutine is left.
func noLeaks(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
}

// nativeServer answers like the reference server.
func nativeServer(t *testing.T) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"server":"tasktray","version":1}`))
	})
	mux.HandleFunc("POST /api/login", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Username, Password string }
		if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&req) != nil {
			t.Errorf("login request is not JSON")
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if req.Username != "ann" || req.Password != testPassword {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"wrong username or password"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"token":"` + testToken + `","expires_at":"2030-01-02T03:04:05Z"}`))
	})
	mux.HandleFunc("POST /api/logout", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

func serve(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func creds(server string) auth.Credentials {
	return auth.Credentials{
		Account:  auth.Account{Kind: "native", Server: server, Username: "ann"},
		Password: testPassword,
	}
}

// checkErr asserts err wraps want, reads exactly message, and holds no secret.
func checkErr(t *testing.T, err, want error, message string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %v", err, want)
	}
	if err.Error() != message {
		t.Errorf("message %q\n          want %q", err, message)
	}
	for _, secret := range []string{testPassword, testToken} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error reveals a secret: %v", err)
		}
	}
}

func TestLogin(t *testing.T) {
	noLeaks(t)
	srv := serve(t, nativeServer(t))

	c := creds(srv.URL)
	c.Options = map[string]string{"x": "y"}
	s, err := Authenticator{}.Login(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if s.Token != testToken || !s.ExpiresAt.Equal(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("session = %q expiring %v", s.Token, s.ExpiresAt)
	}
	if s.Server != srv.URL || s.Username != "ann" || s.Options["x"] != "y" {
		t.Errorf("session account = %+v", s.Account)
	}

	if err := (Authenticator{}).Logout(context.Background(), s); err != nil {
		t.Errorf("Logout: %v", err)
	}
	// A token the server no longer knows is as good as revoked.
	s.Token = "tok-unknown"
	if err := (Authenticator{}).Logout(context.Background(), s); err != nil {
		t.Errorf("Logout of an unknown token: %v", err)
	}
}

func TestLoginWebSocketURLWithPrefix(t *testing.T) {
	noLeaks(t)
	srv := serve(t, http.StripPrefix("/tasks", nativeServer(t)))
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/tasks/"
	if _, err := (Authenticator{}).Login(context.Background(), creds(wsURL)); err != nil {
		t.Fatal(err)
	}
}

func TestLoginWithoutExpiry(t *testing.T) {
	noLeaks(t)
	srv := serve(t, loginAnswer(http.StatusOK, "application/json", `{"token":"`+testToken+`"}`))
	s, err := Authenticator{}.Login(context.Background(), creds(srv.URL))
	if err != nil || !s.ExpiresAt.IsZero() {
		t.Fatalf("Login = %v expiring %v, %v", s.Token, s.ExpiresAt, err)
	}
}

// loginAnswer is a server whose health check passes and whose /api/login
// answers status, contentType, body.
func loginAnswer(status int, contentType, body string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/health", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"server":"tasktray"}`))
	})
	mux.HandleFunc("POST /api/login", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		w.Write([]byte(body))
	})
	return mux
}

// healthAnswer is a server whose /api/health answers status, contentType, body.
func healthAnswer(status int, contentType, body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/health" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		w.Write([]byte(body))
	})
}

func TestLoginAnswers(t *testing.T) {
	const page = "<!doctype html><html><body>Welcome to nginx!</body></html>"
	tests := []struct {
		name    string
		handler http.Handler
		want    error
		message string // %s is the server's host:port
	}{
		{"wrong password", nativeServer(t), auth.ErrBadCredentials,
			"wrong username or password"},
		{"web page", healthAnswer(http.StatusOK, "text/html; charset=utf-8", page), auth.ErrNotServer,
			"not a server of this kind: %s answered /api/health with a web page"},
		{"no such API", http.NotFoundHandler(), auth.ErrNotServer,
			"not a server of this kind: %s/api/health answered 404 Not Found"},
		{"other JSON server", healthAnswer(http.StatusOK, "application/json", `{"server":"gotify","version":"2.9"}`), auth.ErrNotServer,
			"not a server of this kind: %s answers /api/health, but not as a tasktray server"},
		{"JSON of another shape", healthAnswer(http.StatusOK, "application/json", `["tasktray"]`), auth.ErrNotServer,
			"not a server of this kind: %s answered /api/health with something that is not JSON"},
		{"huge answer", healthAnswer(http.StatusOK, "application/json", `{"server":"`+strings.Repeat("x", 1<<20)+`"}`), auth.ErrNotServer,
			"not a server of this kind: %s answered /api/health with something that is not JSON"},
		{"down for maintenance", healthAnswer(http.StatusServiceUnavailable, "text/plain", "maintenance"), auth.ErrUnreachable,
			"server unreachable: %s/api/health answered 503 Service Unavailable; try again later"},
		{"login not JSON", loginAnswer(http.StatusOK, "text/plain", "ok"), auth.ErrNotServer,
			"not a server of this kind: %s answered /api/login with something that is not JSON"},
		{"login without token", loginAnswer(http.StatusOK, "application/json", `{"expires_at":"2030-01-02T03:04:05Z"}`), auth.ErrNotServer,
			"not a server of this kind: /api/login answered without a token"},
		{"login with a bad expiry", loginAnswer(http.StatusOK, "application/json", `{"token":"`+testToken+`","expires_at":"tomorrow"}`), auth.ErrNotServer,
			"not a server of this kind: /api/login answered an expiry that is not an RFC 3339 time"},
		{"login rate-limited", loginAnswer(http.StatusTooManyRequests, "text/plain", "slow down"), auth.ErrUnreachable,
			"server unreachable: %s/api/login answered 429 Too Many Requests; try again later"},
		{"login forbidden", loginAnswer(http.StatusForbidden, "text/plain", "no"), auth.ErrNotServer,
			"not a server of this kind: %s/api/login answered 403 Forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noLeaks(t)
			srv := serve(t, tt.handler)
			c := creds(srv.URL)
			if tt.want == auth.ErrBadCredentials {
				c.Password = "wrong " + testPassword
			}
			_, err := Authenticator{}.Login(context.Background(), c)
			checkErr(t, err, tt.want, strings.ReplaceAll(tt.message, "%s", srv.Listener.Addr().String()))
		})
	}
}

// serveTLS starts a TLS server with httptest's self-signed certificate.
func serveTLS(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	// The handshakes the tests make fail on purpose; no need to log them.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func TestLoginUntrustedCertificate(t *testing.T) {
	noLeaks(t)
	srv := serveTLS(t, nativeServer(t))

	_, err := Authenticator{}.Login(context.Background(), creds(srv.URL))
	checkErr(t, err, auth.ErrTLS, "TLS certificate problem: the certificate of "+srv.Listener.Addr().String()+
		" is not signed by an authority this computer trusts; for a self-signed server, set its CA file")

	// With the server's certificate as the account's CA file, it works.
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	c := creds(srv.URL)
	c.CAFile = caFile
	if _, err := (Authenticator{}).Login(context.Background(), c); err != nil {
		t.Fatalf("Login with the CA file: %v", err)
	}
}

func TestLoginWrongHostName(t *testing.T) {
	noLeaks(t)
	srv := serveTLS(t, nativeServer(t))
	// httptest's certificate names 127.0.0.1 and example.com, not localhost.
	c := creds(strings.Replace(srv.URL, "127.0.0.1", "localhost", 1))
	_, err := Authenticator{HTTPClient: srv.Client()}.Login(context.Background(), c)
	checkErr(t, err, auth.ErrTLS, "TLS certificate problem: the certificate of localhost:"+srv.URL[strings.LastIndex(srv.URL, ":")+1:]+" is for another host name")
}

func TestLoginHTTPSToPlainServer(t *testing.T) {
	noLeaks(t)
	srv := serve(t, nativeServer(t))
	_, err := Authenticator{}.Login(context.Background(), creds(strings.Replace(srv.URL, "http://", "https://", 1)))
	checkErr(t, err, auth.ErrTLS, "TLS certificate problem: "+srv.Listener.Addr().String()+
		" does not speak TLS; check the port, or use http:// for a server on this computer")
}

func TestLoginClosedPort(t *testing.T) {
	noLeaks(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = Authenticator{}.Login(context.Background(), creds("http://"+addr))
	checkErr(t, err, auth.ErrUnreachable, "server unreachable: nothing is listening at "+addr+" (connection refused)")
}

func TestLoginNotHTTP(t *testing.T) {
	noLeaks(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			// Answer the request, not the connection: a banner sent before
			// the request is a different failure ("unsolicited response").
			c.Read(make([]byte, 4096))
			c.Write([]byte("\x00\x01\x02 not HTTP at all\r\n\r\n"))
			c.Close()
		}
	}()
	t.Cleanup(func() { l.Close(); <-done })

	_, err = Authenticator{}.Login(context.Background(), creds("http://"+l.Addr().String()))
	checkErr(t, err, auth.ErrNotServer, "not a server of this kind: "+l.Addr().String()+" does not speak HTTP")
}

func TestLoginTimeout(t *testing.T) {
	noLeaks(t)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	client := &http.Client{Timeout: 100 * time.Millisecond, Transport: &http.Transport{}}
	t.Cleanup(client.CloseIdleConnections)
	_, err := Authenticator{HTTPClient: client}.Login(context.Background(), creds(srv.URL))
	checkErr(t, err, auth.ErrUnreachable, "server unreachable: "+srv.Listener.Addr().String()+" did not answer in time")
}

func TestLoginCancelled(t *testing.T) {
	noLeaks(t)
	started := make(chan struct{})
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	}))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	if _, err := (Authenticator{}).Login(ctx, creds(srv.URL)); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestLoginUnknownHost(t *testing.T) {
	noLeaks(t)
	// A real lookup would leave this machine; the transport fails the dial
	// the way the resolver does.
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "tasks.example.com", IsNotFound: true}}
		},
	}}
	_, err := Authenticator{HTTPClient: client}.Login(context.Background(), creds("https://tasks.example.com"))
	checkErr(t, err, auth.ErrUnreachable, "server unreachable: no host named tasks.example.com")
}

func TestLoginRefusesBadURLsWithoutDialling(t *testing.T) {
	noLeaks(t)
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			t.Error("dialled despite a refused URL")
			return nil, errors.New("no")
		},
	}}
	a := Authenticator{HTTPClient: client}
	_, err := a.Login(context.Background(), creds("http://tasks.example.com"))
	checkErr(t, err, auth.ErrInsecure, "insecure connection to a non-loopback host: http:// to tasks.example.com "+
		"would send your password and token unencrypted; use https:// or allow insecure connections")
	_, err = a.Login(context.Background(), creds("https://ann:"+testPassword+"@tasks.example.com"))
	checkErr(t, err, auth.ErrBadURL, "invalid server URL: it must not contain a user name or password; type them in the login form")
}

func TestLoginDoesNotFollowRedirects(t *testing.T) {
	noLeaks(t)
	elsewhere := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the redirect was followed to %s %s", r.Method, r.URL)
	}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/health", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"server":"tasktray"}`))
	})
	mux.HandleFunc("POST /api/login", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/api/login", http.StatusTemporaryRedirect)
	})
	srv := serve(t, mux)
	_, err := Authenticator{}.Login(context.Background(), creds(srv.URL))
	checkErr(t, err, auth.ErrNotServer, "not a server of this kind: "+srv.Listener.Addr().String()+
		"/api/login redirects to http://"+elsewhere.Listener.Addr().String()+"; use that address")
}

func TestLogoutServerError(t *testing.T) {
	noLeaks(t)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	err := Authenticator{}.Logout(context.Background(), auth.Session{Account: creds(srv.URL).Account, Token: testToken})
	checkErr(t, err, auth.ErrUnreachable, "server unreachable: "+srv.Listener.Addr().String()+
		"/api/logout answered 500 Internal Server Error; try again later")
}

func TestLoginAgainstReferenceServer(t *testing.T) {
	noLeaks(t)
	ref, err := server.New(server.Config{BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ref.Close)
	if err := ref.AddUser("ann", testPassword); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, ref)
	ctx := context.Background()

	s, err := Authenticator{}.Login(ctx, creds(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if s.Token == "" || s.ExpiresAt.Before(time.Now()) {
		t.Errorf("session token %d bytes, expiring %v", len(s.Token), s.ExpiresAt)
	}
	if err := (Authenticator{}).Logout(ctx, s); err != nil {
		t.Errorf("Logout: %v", err)
	}

	c := creds(srv.URL)
	c.Password = "not-" + testPassword
	_, err = Authenticator{}.Login(ctx, c)
	checkErr(t, err, auth.ErrBadCredentials, "wrong username or password")
}

func TestLoginNeedsUsernameAndPassword(t *testing.T) {
	for _, c := range []auth.Credentials{
		{Account: auth.Account{Server: "https://tasks.example.com", Username: "ann"}},
		{Account: auth.Account{Server: "https://tasks.example.com"}, Password: testPassword},
	} {
		_, err := Authenticator{}.Login(context.Background(), c)
		checkErr(t, err, auth.ErrBadCredentials, "wrong username or password: both are needed")
	}
}
