package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"tasktray/auth"
	"tasktray/backend/native"
	"tasktray/conn"
)

// waitLong bounds a wait for something that must happen: a failure guard
// only, generous for -race on a loaded machine.
const waitLong = 20 * time.Second

// start runs the command with args until the test ends, and returns its
// base URL.
func start(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	// A users file with a cheap hash: -user hashes at the default cost,
	// which takes seconds under the race detector.
	hash, err := bcrypt.GenerateFromPassword([]byte("secret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	users := filepath.Join(t.TempDir(), "users")
	if err := os.WriteFile(users, []byte("alice:"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args = append([]string{"-addr", "127.0.0.1:0", "-users", users, "-publisher-key", "pk-test"}, args...)
	go func() {
		done <- run(ctx, func() {}, args, strings.NewReader(""), io.Discard, io.Discard, func(a string) { addr <- a })
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	select {
	case a := <-addr:
		return "http://" + a
	case err := <-done:
		t.Fatalf("run: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not start")
	}
	return ""
}

// TestShortTokenTTLKeepsAClientLoggedIn (defect 14): against the command run
// with -token-ttl 4s, a client logged in once keeps receiving tasks after
// its login token has expired, its link having been handed new tokens. (4 s,
// not less: the first dial after the login must find its token alive on a
// loaded machine.)
func TestShortTokenTTLKeepsAClientLoggedIn(t *testing.T) {
	base := start(t, "-token-ttl", "4s")
	s, err := native.Authenticator{}.Login(context.Background(), auth.Credentials{Account: auth.Account{Server: base, Username: "alice"}, Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := native.New(base)
	c, err := conn.New(conn.Config{Protocol: p, Token: s.Token, StartFrom: s.Resume, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	renewals := 0
	// expires_at has whole seconds: one more and the login token is gone.
	for renewals < 2 || time.Now().Before(s.ExpiresAt.Add(time.Second)) {
		select {
		case <-c.Renewals():
			renewals++
		case st := <-c.States():
			if st.Phase == conn.AuthRequired {
				t.Fatalf("asked to log in again: %s", st.Reason)
			}
		case <-time.After(waitLong):
			t.Fatalf("%d renewals, none for %v", renewals, waitLong)
		}
	}
	req, _ := http.NewRequest("POST", base+"/api/tasks", strings.NewReader(`{"user":"alice","title":"after the login token expired"}`))
	req.Header.Set("X-Publisher-Key", "pk-test")
	req.Close = true // no idle keep-alive connection (and its goroutines) outlives the test
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case task := <-c.Tasks():
		if task.Title != "after the login token expired" {
			t.Fatalf("got %q", task.Title)
		}
	case <-time.After(waitLong):
		t.Fatal("no task after the login token expired")
	}
}

func TestTokenTTLMustBePositive(t *testing.T) {
	for _, ttl := range []string{"0s", "-1h"} {
		err := run(context.Background(), func() {}, []string{"-token-ttl", ttl}, strings.NewReader(""), io.Discard, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), "token-ttl") {
			t.Errorf("-token-ttl %s: %v", ttl, err)
		}
	}
}
