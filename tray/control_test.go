package tray

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"tasktray/assets"
	"tasktray/ipc"
)

// askLoop sends cmd on reqs as an endpoint would and returns the loop's
// answer; the deadline only guards a failure.
func askLoop(t *testing.T, reqs chan<- Request, cmd Command) error {
	t.Helper()
	req, done := NewRequest(cmd)
	select {
	case reqs <- req:
	case <-time.After(wait):
		t.Fatalf("the loop never took %v", cmd)
	}
	select {
	case err := <-done:
		return err
	case <-time.After(wait):
		t.Fatalf("the loop never answered %v", cmd)
	}
	return nil
}

// nextView is the view of the next window opened; the deadline only
// guards a failure.
func nextView(t *testing.T, views <-chan string) string {
	t.Helper()
	select {
	case v := <-views:
		return v
	case <-time.After(wait):
		t.Fatal("no window opened")
	}
	return ""
}

// TestShowOpensLoginThenRecentAndQuitStops: a second start while logged
// out opens the login window; once logged in, recent tasks; quit ends Run.
func TestShowOpensLoginThenRecentAndQuitStops(t *testing.T) {
	f := newFixture(t)
	reqs := make(chan Request)
	f.cfg.Requests = reqs
	views := make(chan string, 4)
	windows := f.cfg.Windows
	f.cfg.Windows = func(ctx context.Context, view string) (WindowProcess, error) {
		views <- view
		return windows(ctx, view)
	}
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
		t.Fatalf("show while logged out: %v", err)
	}
	if v := nextView(t, views); v != ipc.ViewLogin {
		t.Fatalf("show while logged out opened %q, want the login window", v)
	}
	w := f.window(t)
	w.user.Send(ipc.Login{Kind: "native", Server: f.url, Username: "alice", Password: "wonderland"})
	if res := w.expect(t, "a login result", isResult).(ipc.LoginResult); !res.OK {
		t.Fatalf("login failed: %+v", res)
	}
	w.expect(t, "close", func(m ipc.Message) bool { _, ok := m.(ipc.Close); return ok })
	w.close() // the window process exits
	f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected })
	if err := askLoop(t, reqs, CommandShow); err != nil {
		t.Fatalf("show while logged in: %v", err)
	}
	if v := nextView(t, views); v != ipc.ViewRecent {
		t.Fatalf("show while logged in opened %q, want recent tasks", v)
	}

	if err := askLoop(t, reqs, CommandQuit); err != nil {
		t.Fatalf("quit: %v", err)
	}
	select {
	case <-ran:
	case <-time.After(wait):
		t.Fatal("Run did not return after a quit request")
	}
}

// TestShowSaysWhenNoWindowOpens: the caller learns the window failed.
func TestShowSaysWhenNoWindowOpens(t *testing.T) {
	f := newFixture(t)
	reqs := make(chan Request)
	f.cfg.Requests = reqs
	f.cfg.Windows = func(context.Context, string) (WindowProcess, error) { return nil, errors.New("no display") }
	f.start(t)
	if err := askLoop(t, reqs, CommandShow); err == nil || err.Error() != msgWindowFailed.String() {
		t.Fatalf("show with no display answered %v", err)
	}
	if err := askLoop(t, reqs, Command(99)); err == nil {
		t.Fatal("an unknown command was answered ok")
	}
}

// TestDeliverIsBounded: an endpoint never waits forever on a loop that does
// not take a request, takes it and does not answer, or is stopping.
func TestDeliverIsBounded(t *testing.T) {
	defer func(d time.Duration) { loopWait = d }(loopWait)
	loopWait = 50 * time.Millisecond

	if err := deliver(context.Background(), make(chan Request), CommandShow); err == nil || !strings.Contains(err.Error(), "50ms") {
		t.Fatalf("nobody reading: %v", err)
	}
	taken := make(chan Request, 1)
	if err := deliver(context.Background(), taken, CommandShow); err == nil {
		t.Fatal("taken and never answered: ok")
	}
	loopWait = time.Hour // only ctx can end these
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := deliver(ctx, make(chan Request), CommandQuit); !errors.Is(err, ErrStopping) {
		t.Fatalf("stopping: %v", err)
	}
}
