package tray

import (
	"context"
	"sync"
	"testing"
	"time"

	"tasktray/assets"
	"tasktray/auth"
	"tasktray/notify"
	"tasktray/server"
)

// hungPopups is a notification daemon that takes a popup and never answers,
// not even to a cancelled ctx, until the test ends.
type hungPopups struct {
	release chan struct{}
	calls   chan notify.Popup
}

func newHungPopups(t *testing.T) *hungPopups {
	p := &hungPopups{release: make(chan struct{}), calls: make(chan notify.Popup, 100)}
	t.Cleanup(func() { close(p.release) })
	return p
}

func (p *hungPopups) Show(_ context.Context, pp notify.Popup) error {
	p.calls <- pp
	<-p.release
	return nil
}

// hungKeyring is an OS keyring that never answers (an unlock prompt nobody
// answers, with go-keyring calls that cannot be cancelled) until the test
// ends.
type hungKeyring struct {
	release chan struct{}
	calls   chan string
}

func newHungKeyring(t *testing.T) *hungKeyring {
	k := &hungKeyring{release: make(chan struct{}), calls: make(chan string, 100)}
	t.Cleanup(func() { close(k.release) })
	return k
}

func (k *hungKeyring) Get(_ context.Context, user string) (string, error) {
	k.calls <- "get"
	<-k.release
	return "", auth.ErrNotFound
}

func (k *hungKeyring) Set(_ context.Context, user, secret string) error {
	k.calls <- "set"
	<-k.release
	return nil
}

func (k *hungKeyring) Delete(_ context.Context, user string) error {
	k.calls <- "delete"
	<-k.release
	return auth.ErrNotFound
}

// runAgent starts an agent on f.cfg and returns a func that waits for Run
// to end, failing the test if it does not within the guard.
func runAgent(t *testing.T, f *fixture) (cancel context.CancelFunc, ended func(what string)) {
	t.Helper()
	a, err := NewAgent(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	var once sync.Once
	ended = func(what string) {
		t.Helper()
		select {
		case <-done:
		case <-time.After(wait):
			t.Fatalf("Run did not end after %s", what)
		}
	}
	t.Cleanup(func() {
		once.Do(cancel)
		select {
		case <-done:
		case <-time.After(wait):
			t.Error("Run did not end after its ctx was cancelled")
		}
	})
	return cancel, ended
}

// click sends the agent a menu action, failing if the loop does not take it.
func (m *fakeMenu) click(t *testing.T, act Action) {
	t.Helper()
	select {
	case m.actions <- act:
	case <-time.After(wait):
		t.Fatalf("the agent loop did not take %v: it is blocked", act)
	}
}

// TestHungPopupsNeitherFreezeNorKeepRunning: a notification daemon that
// never answers does not stop the menu, the tasks or Quit.
func TestHungPopupsNeitherFreezeNorKeepRunning(t *testing.T) {
	for _, end := range []string{"quit", "cancel"} {
		t.Run(end, func(t *testing.T) {
			f := newFixture(t)
			popups := newHungPopups(t)
			f.cfg.Popups = popups
			cancel, ended := runAgent(t, f)
			f.login(t, "wonderland").expect(t, "ok", isResult)
			f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected })
			for _, title := range []string{"one", "two", "three"} {
				f.srv.Publish("alice", server.TaskInput{Title: title})
			}
			<-popups.calls // the daemon holds the first popup
			f.menu.waitView(t, "3 unread", func(v View) bool { return v.Unread == 3 })
			f.menu.click(t, ActionPause)
			f.menu.waitView(t, "paused", func(v View) bool { return v.Paused })
			if end == "quit" {
				f.menu.click(t, ActionQuit)
			} else {
				cancel()
			}
			ended(end)
		})
	}
}

// TestHungKeyringNeitherFreezesNorKeepsRunning: a keyring that never
// answers at start, at login and at log-out leaves the menu working, the
// login connected (the token in memory), and Quit and cancel prompt.
func TestHungKeyringNeitherFreezesNorKeepsRunning(t *testing.T) {
	for _, end := range []string{"quit", "cancel"} {
		t.Run(end, func(t *testing.T) {
			f := newFixture(t)
			k := newHungKeyring(t)
			f.cfg.Tokens = auth.NewTokenStore(k)
			if err := auth.SaveAccount(f.cfg.AccountPath, auth.Account{Kind: "native", Server: f.url, Username: "alice"}); err != nil {
				t.Fatal(err)
			}
			cancel, ended := runAgent(t, f)
			<-k.calls // the load at start hangs
			f.menu.click(t, ActionRecent)
			f.window(t)
			f.login(t, "wonderland").expect(t, "ok", isResult)
			f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected && v.User == "alice" })
			f.menu.click(t, ActionLogout)
			f.menu.waitView(t, "logged out", func(v View) bool { return v.User == "" })
			if end == "quit" {
				f.menu.click(t, ActionQuit)
			} else {
				cancel()
			}
			ended(end)
		})
	}
}
