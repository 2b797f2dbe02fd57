package tray

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
	"go.uber.org/goleak"
	"golang.org/x/crypto/bcrypt"

	"tasktray/assets"
	"tasktray/auth"
	"tasktray/conn"
	"tasktray/ipc"
	"tasktray/notify"
	"tasktray/server"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const wait = 10 * time.Second

// fakeMenu records what the agent renders and lets a test click.
type fakeMenu struct {
	actions chan Action
	views   chan View
}

func newFakeMenu() *fakeMenu {
	return &fakeMenu{actions: make(chan Action), views: make(chan View, 10000)}
}

func (m *fakeMenu) Render(v View)          { m.views <- v }
func (m *fakeMenu) Actions() <-chan Action { return m.actions }

// drain drops the views rendered so far. Call it only while no agent runs
// on m: before a new agent starts on the menu an agent that stopped used,
// so that waitView sees the new agent's views, not the old one's (an old
// "connected" view would pass for the new agent's).
func (m *fakeMenu) drain() {
	for {
		select {
		case <-m.views:
		default:
			return
		}
	}
}

// waitView returns the first rendered View that satisfies ok.
func (m *fakeMenu) waitView(t *testing.T, what string, ok func(View) bool) View {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case v := <-m.views:
			if ok(v) {
				return v
			}
		case <-deadline:
			t.Fatalf("menu never showed %s", what)
		}
	}
}

// fakePopups records every popup.
type fakePopups struct {
	mu     sync.Mutex
	popups []notify.Popup
}

func (p *fakePopups) Show(_ context.Context, pp notify.Popup) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.popups = append(p.popups, pp)
	return nil
}

// wait returns the popups once there are at least n.
func (p *fakePopups) wait(t *testing.T, n int) []notify.Popup {
	t.Helper()
	var got []notify.Popup
	waitFor(t, fmt.Sprint(n, " popups"), func() bool { got = p.all(); return len(got) >= n })
	return got
}

// waitFor polls cond until it holds; the deadline only guards a failure.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never saw %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (p *fakePopups) all() []notify.Popup {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]notify.Popup(nil), p.popups...)
}

// fakeWindow is a window process on a pipe: the test plays the user.
type fakeWindow struct {
	*ipc.Conn           // the agent's end
	user      *ipc.Conn // the window's end
	close     func()
	done      chan struct{}
}

// newFakeWindow wires the two ends with OS pipes, which buffer as a real
// window process's stdin and stdout do.
func newFakeWindow() *fakeWindow {
	ar, ww, err := os.Pipe() // window -> agent
	if err != nil {
		panic(err)
	}
	wr, aw, err := os.Pipe() // agent -> window
	if err != nil {
		panic(err)
	}
	w := &fakeWindow{Conn: ipc.NewConn(ar, aw), user: ipc.NewConn(wr, ww), done: make(chan struct{})}
	var once sync.Once
	w.close = func() { once.Do(func() { ww.Close(); aw.Close(); ar.Close(); wr.Close(); close(w.done) }) }
	return w
}

func (w *fakeWindow) Kill() error { w.close(); return nil }
func (w *fakeWindow) Wait() error { <-w.done; return nil }

// expect reads what the agent sent the window until ok accepts a message.
func (w *fakeWindow) expect(t *testing.T, what string, ok func(ipc.Message) bool) ipc.Message {
	t.Helper()
	got := make(chan ipc.Message, 1)
	go func() {
		for {
			m, err := w.user.Receive()
			if err != nil {
				close(got)
				return
			}
			if ok(m) {
				got <- m
				return
			}
		}
	}()
	select {
	case m, open := <-got:
		if !open {
			t.Fatalf("window closed before %s", what)
		}
		return m
	case <-time.After(wait):
		w.close()
		t.Fatalf("window never got %s", what)
	}
	return nil
}

type fixture struct {
	agent   *Agent
	menu    *fakeMenu
	popups  *fakePopups
	srv     *server.Server
	url     string
	windows chan *fakeWindow
	stop    func()
	cfg     Config
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	keyring.MockInit()
	srv, err := server.New(server.Config{BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.AddUser("alice", "wonderland"); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	f := &fixture{menu: newFakeMenu(), popups: &fakePopups{}, srv: srv, url: hs.URL, windows: make(chan *fakeWindow, 4)}
	dir := t.TempDir()
	f.cfg = Config{
		Menu:        f.menu,
		Popups:      f.popups,
		Tokens:      auth.NewTokenStore(auth.NewSystemKeyring(time.Second)),
		AccountPath: dir + "/account.json",
		StateDir:    dir,
		Windows: func(ctx context.Context, view string) (WindowProcess, error) {
			w := newFakeWindow()
			f.windows <- w
			return w, nil
		},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	return f
}

// start runs an agent on f.cfg; an agent started before must have stopped
// (f.stop): the views it rendered are dropped.
func (f *fixture) start(t *testing.T) {
	t.Helper()
	f.menu.drain()
	a, err := NewAgent(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.agent = a
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	f.stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(wait):
			t.Error("agent did not stop")
		}
	}
	t.Cleanup(f.stop)
}

func (f *fixture) window(t *testing.T) *fakeWindow {
	t.Helper()
	select {
	case w := <-f.windows:
		return w
	case <-time.After(wait):
		t.Fatal("no window opened")
	}
	return nil
}

func (f *fixture) login(t *testing.T, password string) *fakeWindow {
	t.Helper()
	f.menu.actions <- ActionLogin
	w := f.window(t)
	if err := w.user.Send(ipc.Login{Kind: "native", Server: f.url, Username: "alice", Password: password}); err != nil {
		t.Fatal(err)
	}
	return w
}

func isResult(m ipc.Message) bool { _, ok := m.(ipc.LoginResult); return ok }

func TestLoginOnceThenTasksPopUp(t *testing.T) {
	f := newFixture(t)
	f.start(t)
	f.menu.waitView(t, "log-in-required", func(v View) bool { return v.Icon == assets.LoginRequired && v.User == "" })

	w := f.login(t, "not-the-password")
	res := w.expect(t, "a login result", isResult).(ipc.LoginResult)
	if res.OK || res.ErrorKind != ipc.ErrorCredentials || strings.Contains(res.Error, "not-the-password") {
		t.Fatalf("bad password result = %+v", res)
	}
	w.user.Send(ipc.Login{Kind: "native", Server: f.url, Username: "alice", Password: "wonderland"})
	if res := w.expect(t, "a login result", isResult).(ipc.LoginResult); !res.OK {
		t.Fatalf("login failed: %+v", res)
	}
	w.expect(t, "close", func(m ipc.Message) bool { _, ok := m.(ipc.Close); return ok })
	f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected && v.User == "alice" })

	// The token is in the keyring, under the documented entry.
	acc := auth.Account{Kind: "native", Server: f.url, Username: "alice"}
	waitFor(t, "the token in the keyring", func() bool {
		_, err := f.cfg.Tokens.Load(context.Background(), acc)
		return err == nil
	})
	tok, err := keyring.Get("tasktray", "alice@"+f.url)
	if err != nil || tok == "" {
		t.Fatalf("token not in keyring: %v", err)
	}

	for _, title := range []string{"one", "two", "three"} {
		if _, err := f.srv.Publish("alice", server.TaskInput{Title: title, URL: "https://example.com/" + title, Priority: 5}); err != nil {
			t.Fatal(err)
		}
	}
	f.menu.waitView(t, "3 unread", func(v View) bool { return v.Unread == 3 })
	got := f.popups.wait(t, 3)
	if len(got) != 3 || got[0].Title != "one" || got[2].URL != "https://example.com/three" || got[1].Priority != 5 {
		t.Fatalf("popups = %+v", got)
	}
}

func TestRestartConnectsFromKeyringAndLogoutForgets(t *testing.T) {
	f := newFixture(t)
	f.start(t)
	w := f.login(t, "wonderland")
	w.expect(t, "ok", isResult)
	f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected })
	f.stop()
	// The first agent saves the token off its loop; on a loaded machine the
	// save may still be running when Run returns (a peer is waited for 2 s,
	// then left to finish). Two agents of one process share this keyring, so
	// let that save land before the second agent's logout deletes the token.
	acc := auth.Account{Kind: "native", Server: f.url, Username: "alice"}
	waitFor(t, "the token in the keyring", func() bool {
		_, err := f.cfg.Tokens.Load(context.Background(), acc)
		return err == nil
	})

	// A second agent with the same files and keyring: no window, no password.
	f.start(t)
	f.menu.waitView(t, "connected again", func(v View) bool { return v.Icon == assets.Connected && v.User == "alice" })
	select {
	case <-f.windows:
		t.Fatal("restart opened a window")
	default:
	}

	f.menu.actions <- ActionLogout
	f.menu.waitView(t, "logged out", func(v View) bool { return v.User == "" && v.Icon == assets.LoginRequired })
	// The keyring forgets it off the agent loop, soon after.
	// (Through the agent's store: go-keyring's mock is not safe for
	// concurrent use, and the store serializes its calls.)
	waitFor(t, "the token gone from the keyring", func() bool {
		_, err := f.cfg.Tokens.Load(context.Background(), acc)
		return errors.Is(err, auth.ErrNotFound)
	})
}

func TestRevokedTokenAsksToLogInOnce(t *testing.T) {
	f := newFixture(t)
	f.start(t)
	f.login(t, "wonderland").expect(t, "ok", isResult)
	f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected })
	f.srv.Revoke("alice")
	v := f.menu.waitView(t, "log in required", func(v View) bool { return v.Icon == assets.LoginRequired })
	if v.Status != "Log in required" {
		t.Fatalf("status %q", v.Status)
	}
	popups := f.popups.wait(t, 1)
	if len(popups) != 1 || !strings.Contains(popups[0].Title, "log in again") || !popups[0].Important {
		t.Fatalf("popups = %+v", popups)
	}
}

func TestPauseKeepsTasksWithoutPopups(t *testing.T) {
	f := newFixture(t)
	f.start(t)
	f.login(t, "wonderland").expect(t, "ok", isResult)
	f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected })
	f.menu.actions <- ActionPause
	f.menu.waitView(t, "paused", func(v View) bool { return v.Paused && v.Icon == assets.Paused })
	f.srv.Publish("alice", server.TaskInput{Title: "quiet"})
	f.menu.waitView(t, "1 unread", func(v View) bool { return v.Unread == 1 })
	if n := len(f.popups.all()); n != 0 {
		t.Fatalf("%d popups while paused", n)
	}

	f.menu.actions <- ActionRecent
	w := f.window(t)
	m := w.expect(t, "the task list", func(m ipc.Message) bool { _, ok := m.(ipc.Tasks); return ok }).(ipc.Tasks)
	if m.Unread != 1 || len(m.Tasks) != 1 || m.Tasks[0].Title != "quiet" {
		t.Fatalf("recent = %+v", m)
	}
	w.user.Send(ipc.MarkAllRead{})
	f.menu.waitView(t, "0 unread", func(v View) bool { return v.Unread == 0 })
}

func TestStatusLine(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		s    conn.State
		want string
	}{
		{conn.State{Phase: conn.Connected}, "Connected to tasks.example.com"},
		{conn.State{Phase: conn.Connecting}, "Connecting to tasks.example.com…"},
		{conn.State{Phase: conn.Reconnecting, Attempt: 3, NextTry: now.Add(7500 * time.Millisecond)}, "Reconnecting in 8 s (attempt 3)"},
		{conn.State{Phase: conn.Reconnecting, Attempt: 2, NextTry: now}, "Reconnecting to tasks.example.com… (attempt 2)"},
		{conn.State{Phase: conn.AuthRequired}, "Log in required"},
		// An account with several addresses: the line names the one the link is on.
		{conn.State{Phase: conn.Connected, Server: "https://node-b.example.com:8443"}, "Connected to node-b.example.com:8443"},
		{conn.State{Phase: conn.Reconnecting, Attempt: 1, NextTry: now, Server: "https://node-b.example.com"}, "Reconnecting to node-b.example.com… (attempt 1)"},
	} {
		if got := statusLine(tc.s, "https://tasks.example.com", now); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.s.Phase, got, tc.want)
		}
	}
}

func TestLoginErrorsReachTheWindow(t *testing.T) {
	f := newFixture(t)
	f.start(t)
	f.menu.actions <- ActionLogin
	w := f.window(t)
	for _, tc := range []struct {
		login ipc.Login
		kind  ipc.ErrorKind
	}{
		{ipc.Login{Kind: "bogus", Server: f.url, Username: "alice", Password: "x"}, ipc.ErrorOther},
		{ipc.Login{Kind: "native", Server: "http://tasks.example.com", Username: "alice", Password: "x"}, ipc.ErrorInsecure},
		{ipc.Login{Kind: "native", Server: "http://127.0.0.1:1", Username: "alice", Password: "x"}, ipc.ErrorUnreachable},
	} {
		w.user.Send(tc.login)
		res := w.expect(t, "a login result", isResult).(ipc.LoginResult)
		if res.OK || res.ErrorKind != tc.kind {
			t.Errorf("%+v: result %+v, want kind %q", tc.login.Server, res, tc.kind)
		}
	}
}

// TestRecentWindowReachesEveryTask: after a run of 2,000 tasks, the Recent
// tasks window gets the newest page, and asking for older pages until it
// has Total reaches every task exactly once, newest first. Mark all read
// then covers the tasks the window never held as well.
func TestRecentWindowReachesEveryTask(t *testing.T) {
	const n = 2000
	f := newFixture(t)
	f.start(t)
	f.login(t, "wonderland").expect(t, "ok", isResult)
	f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected })
	// In runs of 100: the reference server drops a client whose queue is
	// full, and resumes it from a history of 1,000.
	for i := range n {
		if _, err := f.srv.Publish("alice", server.TaskInput{Title: fmt.Sprintf("Task %04d", i), Body: strings.Repeat("long body ", 100)}); err != nil {
			t.Fatal(err)
		}
		if i%100 == 99 {
			f.menu.waitView(t, fmt.Sprint(i+1, " unread"), func(v View) bool { return v.Unread == i+1 })
		}
	}

	f.menu.actions <- ActionRecent
	w := f.window(t)
	page := func(m ipc.Message) bool { p, ok := m.(ipc.Tasks); return ok && len(p.Tasks) > 0 }
	first := w.expect(t, "the newest page", page).(ipc.Tasks)
	if first.Total != n || first.Unread != n || len(first.Tasks) != RecentPage {
		t.Fatalf("first page: %d tasks, total %d, unread %d", len(first.Tasks), first.Total, first.Unread)
	}
	got := first.Tasks
	for requests := 0; len(got) < n; requests++ {
		if requests > n/RecentPage {
			t.Fatalf("%d tasks after %d requests for older ones", len(got), requests)
		}
		before := got[len(got)-1].Seq
		if err := w.user.Send(ipc.More{Before: before}); err != nil {
			t.Fatal(err)
		}
		older := w.expect(t, fmt.Sprint("the page before ", before), page).(ipc.Tasks)
		if older.Tasks[0].Seq != before-1 || older.Total != n {
			t.Fatalf("asked for the tasks before %d, got %d.. of %d", before, older.Tasks[0].Seq, older.Total)
		}
		got = append(got, older.Tasks...)
	}
	ids := map[string]bool{}
	for i, task := range got {
		want := fmt.Sprintf("Task %04d", n-1-i)
		if task.Title != want || ids[task.ID] || task.Read {
			t.Fatalf("task %d of the pages: %q (id %s, seen before %t, read %t), want %q", i, task.Title, task.ID, ids[task.ID], task.Read, want)
		}
		if len(task.Body) > 3*previewBody || !strings.HasSuffix(task.Body, "…") {
			t.Fatalf("task %d: a body of %d bytes in the list, want a preview", i, len(task.Body))
		}
		ids[task.ID] = true
	}
	if len(got) != n {
		t.Fatalf("reached %d tasks, want %d", len(got), n)
	}

	w.user.Send(ipc.MarkAllRead{})
	f.menu.waitView(t, "all read", func(v View) bool { return v.Unread == 0 })
	w.expect(t, "all read", func(m ipc.Message) bool {
		p, ok := m.(ipc.Tasks)
		return ok && p.Unread == 0 && p.ReadThrough == got[0].Seq && p.Total == n
	})
}
