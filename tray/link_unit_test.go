package tray

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"tasktray/auth"
	"tasktray/backend/custom"
	"tasktray/backend/native"
	"tasktray/conn"
	"tasktray/ipc"
)

// bareAgent is an agent whose loop does not run: a test calls its handlers
// and then makes the calls its peers have queued.
func bareAgent(t *testing.T, popups Popups, tokens *auth.TokenStore) *Agent {
	t.Helper()
	a, err := NewAgent(Config{
		Menu: newFakeMenu(), Popups: popups, Tokens: tokens,
		Windows: func(context.Context, string) (WindowProcess, error) { return nil, errors.New("no windows here") },
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// runQueued makes every call p has queued, as its goroutine would.
func runQueued(p *peer) (answers []any) {
	for call := p.next(); call != nil; call = p.next() {
		answers = append(answers, call(context.Background()))
	}
	return answers
}

// TestGapIsToldToTheUser: a gap the server could not fill becomes an
// important popup ("Some tasks before 14:02 could not be fetched") and a
// line in the status.
func TestGapIsToldToTheUser(t *testing.T) {
	popups := &fakePopups{}
	a := bareAgent(t, popups, auth.NewTokenStore(newLockableKeyring()))
	a.loggedIn, a.account = true, auth.Account{Kind: "native", Server: "https://tasks.example.com", Username: "alice"}
	before := time.Date(2026, 12, 2, 14, 2, 0, 0, time.Local)
	a.onGap(conn.Gap{Before: before, Reason: "the server keeps 1,000 tasks"})
	runQueued(a.popups)
	got := popups.all()
	want := "Some tasks before 14:02 could not be fetched"
	if len(got) != 1 || got[0].Body != want || !got[0].Important {
		t.Fatalf("popups %+v, want one important %q", got, want)
	}
	if s := a.status(); !strings.Contains(s, want) {
		t.Fatalf("status %q does not say %q", s, want)
	}
}

// TestRenewedTokenIsStored: a token the server renewed replaces the old one
// in the keyring, so the next start uses it.
func TestRenewedTokenIsStored(t *testing.T) {
	k := newLockableKeyring()
	a := bareAgent(t, &fakePopups{}, auth.NewTokenStore(k))
	acc := auth.Account{Kind: "native", Server: "https://tasks.example.com", Username: "alice"}
	a.loggedIn, a.account, a.session = true, acc, auth.Session{Account: acc, Token: "old-token"}
	a.onRenewal(conn.Renewal{Token: "new-token", ExpiresAt: time.Now().Add(time.Hour)})
	for _, ev := range runQueued(a.keyring) {
		a.onEvent(context.Background(), ev)
	}
	if got := k.secret(acc.KeyringUser()); got != "new-token" {
		t.Fatalf("keyring holds %q, want the renewed token", got)
	}
	if a.session.Token != "new-token" {
		t.Fatal("the agent still uses the old token for log-out")
	}
}

// TestLinkUsesTheKindsDialerAndLogger: a kind that redacts its dialer's
// errors (custom, ntfy) gets the link's dialer wrapped, so a token in the
// URL never reaches the log through a dial error; the native kind logs its
// warnings about odd frames through the agent's logger.
func TestLinkUsesTheKindsDialerAndLogger(t *testing.T) {
	profile := "[connect]\nurl = \"ws://127.0.0.1:1/websocket?token={token}\"\ntoken_in = \"query\"\n"
	cases := []struct {
		name string
		acc  auth.Account
		test func(t *testing.T, a *Agent, cfg conn.Config)
	}{
		{"custom", auth.Account{Kind: custom.KindName, Server: "http://127.0.0.1:1", Username: "alice",
			Options: map[string]string{custom.OptionProfileText: profile}},
			func(t *testing.T, a *Agent, cfg conn.Config) {
				if fmt.Sprintf("%T", cfg.Dialer) == fmt.Sprintf("%T", mustDialer(t)) {
					t.Errorf("the link dials with a bare %T, not the kind's redacting dialer", cfg.Dialer)
				}
			}},
		{"native", auth.Account{Kind: "native", Server: "http://127.0.0.1:1", Username: "alice"},
			func(t *testing.T, a *Agent, cfg conn.Config) {
				p, ok := cfg.Protocol.(*native.Protocol)
				if !ok {
					t.Fatalf("protocol %T", cfg.Protocol)
				}
				if p.Log != a.log {
					t.Error("the native protocol logs elsewhere than the agent's logger")
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := bareAgent(t, &fakePopups{}, auth.NewTokenStore(newLockableKeyring()))
			var got conn.Config
			a.cfg.ConnOptions = func(cfg *conn.Config) { got = *cfg }
			a.startLink(context.Background(), auth.Session{Account: c.acc, Token: "secret-token"})
			defer a.stopLink()
			if got.Protocol == nil {
				t.Fatalf("no link started: %s", a.state.Reason)
			}
			c.test(t, a, got)
		})
	}
}

func mustDialer(t *testing.T) conn.Dialer {
	d, err := conn.NewDialer("")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestNoPopupIsDropped: notify.Show never blocks (it queues and folds a
// burst into a summary), so the agent hands it every popup however far the
// daemon is behind: none is dropped on the way.
func TestNoPopupIsDropped(t *testing.T) {
	popups := &fakePopups{}
	a := bareAgent(t, popups, auth.NewTokenStore(newLockableKeyring()))
	const n = 250
	for i := range n {
		a.onTask(context.Background(), conn.Task{ID: fmt.Sprint("t", i), Title: "task"})
	}
	runQueued(a.popups)
	if got := len(popups.all()); got != n {
		t.Fatalf("%d popups reached the notifier, want %d", got, n)
	}
}

// stuckWindow is a window process whose every Send finds it stuck.
type stuckWindow struct{}

func (stuckWindow) Send(ipc.Message) error {
	return fmt.Errorf("window process 1: state: %w", ipc.ErrWindowStuck)
}
func (stuckWindow) Receive() (ipc.Message, error) { return nil, io.EOF }
func (stuckWindow) Kill() error                   { return nil }
func (stuckWindow) Wait() error                   { return nil }

// TestStuckWindowIsWarned: a window killed for not reading its pipe is
// something the user sees (it vanished), so the log says why at Warn, not
// only under -v.
func TestStuckWindowIsWarned(t *testing.T) {
	var buf strings.Builder
	a := bareAgent(t, &fakePopups{}, auth.NewTokenStore(newLockableKeyring()))
	a.log = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a.windows[ipc.ViewStatus] = &window{child: stuckWindow{}, done: make(chan struct{})}
	a.sendTo(ipc.ViewStatus, ipc.Close{})
	if !strings.Contains(buf.String(), "level=WARN") || !strings.Contains(buf.String(), "view="+ipc.ViewStatus) {
		t.Fatalf("log %q has no warning about the stuck window", buf.String())
	}
}

// TestProfilePrecedence: the login window logs in with the -profile flag's
// profile, else the account's own, else the system-wide one.
func TestProfilePrecedence(t *testing.T) {
	own := auth.Account{Kind: custom.KindName, Options: map[string]string{custom.OptionProfile: "/home/a/own.toml"}}
	built := auth.Account{Kind: custom.KindName, Options: map[string]string{custom.OptionProfileText: "[connect]"}}
	cases := []struct {
		name    string
		flag    bool
		cfg     string
		account auth.Account
		want    string
	}{
		{"flag wins over the account", true, "/tmp/flag.toml", own, "/tmp/flag.toml"},
		{"the account's wins over the system's", false, "/etc/xdg/tasktray/profile.toml", own, "/home/a/own.toml"},
		{"the system's without one", false, "/etc/xdg/tasktray/profile.toml", auth.Account{Kind: "native"}, "/etc/xdg/tasktray/profile.toml"},
		{"a profile built in the window stays there", false, "/etc/xdg/tasktray/profile.toml", built, ""},
	}
	for _, c := range cases {
		a := bareAgent(t, &fakePopups{}, auth.NewTokenStore(newLockableKeyring()))
		a.cfg.Profile, a.cfg.ProfileFixed, a.account = c.cfg, c.flag, c.account
		if got := a.stateMessage(View{}).Profile; got != c.want {
			t.Errorf("%s: profile %q, want %q", c.name, got, c.want)
		}
	}
}

// TestLinkDialsEveryAddressOfTheAccount: an account with more addresses of
// one service (auth.Account.Servers) gives the link each of them, and the
// link names its address for the status and the log.
func TestLinkDialsEveryAddressOfTheAccount(t *testing.T) {
	a := bareAgent(t, &fakePopups{}, auth.NewTokenStore(newLockableKeyring()))
	var got conn.Config
	a.cfg.ConnOptions = func(cfg *conn.Config) { got = *cfg }
	acc := auth.Account{Kind: "native", Server: "http://127.0.0.1:1", Servers: []string{"http://127.0.0.2:1"}, Username: "alice"}
	a.startLink(context.Background(), auth.Session{Account: acc, Token: "secret-token"})
	defer a.stopLink()
	if got.Server != "http://127.0.0.1:1" || len(got.Alternates) != 1 || got.Alternates[0].Server != "http://127.0.0.2:1" {
		t.Fatalf("link to %q with alternates %+v", got.Server, got.Alternates)
	}
	if p, ok := got.Alternates[0].Protocol.(*native.Protocol); !ok || p.Log != a.log {
		t.Error("the alternate's native protocol logs elsewhere than the agent's logger")
	}
}
