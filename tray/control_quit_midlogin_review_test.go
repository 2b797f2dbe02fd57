package tray

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"tasktray/assets"
	"tasktray/ipc"
)

// TestReviewQuitWhileLoggingIn: tasktray -quit arrives while a login is on
// its way to the server (the server has not answered). The agent answers
// the quit and Run returns, without waiting for the login.
func TestReviewQuitWhileLoggingIn(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no start-at-login entry outside the test
	f := newFixture(t)
	arrived := make(chan struct{})
	release := make(chan struct{})
	gated := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/login" {
			close(arrived)
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		f.srv.ServeHTTP(w, r)
	}))
	defer gated.Close()
	defer close(release)

	reqs := make(chan Request)
	f.cfg.Requests = reqs
	a, err := NewAgent(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- a.Run(ctx) }()
	f.menu.waitView(t, "log-in-required", func(v View) bool { return v.Icon == assets.LoginRequired })
	if err := askLoop(t, reqs, CommandShow); err != nil {
		t.Fatalf("show: %v", err)
	}
	w := f.window(t)
	w.user.Send(ipc.Login{Kind: "native", Server: gated.URL, Username: "alice", Password: "wonderland"})
	select {
	case <-arrived:
	case <-time.After(wait):
		t.Fatal("the login never reached the server")
	}
	if err := askLoop(t, reqs, CommandQuit); err != nil {
		t.Fatalf("quit while logging in: %v", err)
	}
	select {
	case <-ran:
	case <-time.After(wait):
		t.Fatal("Run did not return after a quit request while a login was under way")
	}
}
