package tray

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"tasktray/assets"
	"tasktray/auth"
	"tasktray/conn"
	"tasktray/ipc"
	"tasktray/notify"
	"tasktray/server"
)

// countingDialer counts the link's dials.
type countingDialer struct {
	conn.Dialer
	n atomic.Int64
}

func (d *countingDialer) DialContext(ctx context.Context, url string, h http.Header) (*websocket.Conn, *http.Response, error) {
	d.n.Add(1)
	return d.Dialer.DialContext(ctx, url, h)
}

func (f *fixture) countDials() *countingDialer {
	d := &countingDialer{}
	f.cfg.ConnOptions = func(c *conn.Config) { d.Dialer = c.Dialer; c.Dialer = d }
	return d
}

// TestReconnectTriesOnceInLogInRequired: "Reconnect now" is not dead in
// "Log in required": the link tries the token once more.
func TestReconnectTriesOnceInLogInRequired(t *testing.T) {
	f := newFixture(t)
	dials := f.countDials()
	f.start(t)
	f.login(t, "wonderland").expect(t, "ok", isResult)
	f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected })
	f.srv.Revoke("alice")
	f.menu.waitView(t, "log in required", func(v View) bool { return v.NeedsLogin })
	n := dials.n.Load()
	f.menu.click(t, ActionReconnect)
	waitFor(t, "a dial after Reconnect now", func() bool { return dials.n.Load() > n })
}

// TestResumeSignalRedials: the platform's resume signal makes a link that
// looks connected dial again at once (a link from before a suspend is
// usually dead).
func TestResumeSignalRedials(t *testing.T) {
	f := newFixture(t)
	dials := f.countDials()
	resumed := make(chan struct{})
	f.cfg.Resumed = resumed
	f.start(t)
	f.login(t, "wonderland").expect(t, "ok", isResult)
	f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected })
	n := dials.n.Load()
	poke(t, resumed)
	waitFor(t, "a dial after resume", func() bool { return dials.n.Load() > n })
	// Connected again: a task published now reaches the agent. (A view
	// showing "connected" proves nothing here: one rendered before the
	// resume may still be queued in the fake menu.)
	if _, err := f.srv.Publish("alice", server.TaskInput{Title: "after resume"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the task published after the resume", func() bool {
		return slices.ContainsFunc(f.popups.all(), func(p notify.Popup) bool { return p.Title == "after resume" })
	})
}

// TestLoginKeepsHandSetCAFile: a self-signed server with its CA set by hand
// in the account file (as the README says) can be logged in to from the
// login window, which shows that CA file (State.CAFile) and sends it back,
// and the login keeps it.
func TestLoginKeepsHandSetCAFile(t *testing.T) {
	f, ca := caFixture(t)
	w := f.openLogin(t)
	st := w.expect(t, "the state with the CA file", func(m ipc.Message) bool {
		s, ok := m.(ipc.State)
		return ok && s.CAFile == ca
	}).(ipc.State)
	w.user.Send(ipc.Login{Kind: "native", Server: f.url, Username: "alice", Password: "wonderland", CAFile: st.CAFile})
	if res := w.expect(t, "a login result", isResult).(ipc.LoginResult); !res.OK {
		t.Fatalf("login to the self-signed server: %+v", res)
	}
	f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected })
	waitFor(t, "the account file saved with its CA", func() bool {
		acc, err := auth.LoadAccount(f.cfg.AccountPath)
		return err == nil && acc.CAFile == ca
	})
}

// TestLoginHonoursClearedCAFile: the login window shows the account's CA
// file; a user who clears it means "trust the system's roots only", and the
// login must not put the old one back: here the self-signed server is then
// not trusted, and the account file keeps no CA.
func TestLoginHonoursClearedCAFile(t *testing.T) {
	f, ca := caFixture(t)
	w := f.openLogin(t)
	w.expect(t, "the state with the CA file", func(m ipc.Message) bool {
		s, ok := m.(ipc.State)
		return ok && s.CAFile == ca
	})
	w.user.Send(ipc.Login{Kind: "native", Server: f.url, Username: "alice", Password: "wonderland", CAFile: ""})
	if res := w.expect(t, "a login result", isResult).(ipc.LoginResult); res.OK {
		t.Fatal("the login trusted the CA file the user cleared")
	}
}

// caFixture is a fixture whose server is self-signed, with an account file
// naming its CA, started.
func caFixture(t *testing.T) (*fixture, string) {
	f := newFixture(t)
	hs := httptest.NewTLSServer(f.srv)
	t.Cleanup(hs.Close)
	f.url = hs.URL
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hs.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := auth.SaveAccount(f.cfg.AccountPath, auth.Account{Kind: "native", Server: hs.URL, Username: "alice", CAFile: ca}); err != nil {
		t.Fatal(err)
	}
	f.start(t)
	return f, ca
}

// openLogin clicks "Log in…" and returns the window.
func (f *fixture) openLogin(t *testing.T) *fakeWindow {
	t.Helper()
	f.menu.actions <- ActionLogin
	return f.window(t)
}

// poke sends on ch, failing if the agent loop does not take it.
func poke(t *testing.T, ch chan<- struct{}) {
	t.Helper()
	select {
	case ch <- struct{}{}:
	case <-time.After(wait):
		t.Fatal("the agent loop did not take the signal")
	}
}
