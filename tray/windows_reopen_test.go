package tray

import (
	"context"
	"testing"

	"tasktray/ipc"
)

// A window that was closed and is asked for again at once opens again. Its
// process has exited (its done is closed) but the loop may not have
// handled the windowExited event yet: a click already waiting can come
// first (the loop picks among ready channels at random). openWindow then
// found the old window still listed and opened nothing, so a person who
// closed Settings and reopened it at once got no window (e2e clicked twice
// to get past it).
func TestWindowReopensRightAfterItsProcessExited(t *testing.T) {
	f := newFixture(t)
	a, err := NewAgent(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	old := newFakeWindow()
	old.close() // the process has exited: Wait returns at once
	gone := &window{child: old, done: make(chan struct{})}
	close(gone.done) // as readWindow does before it reports windowExited
	a.windows[ipc.ViewSettings] = gone

	a.openWindow(ctx, ipc.ViewSettings) // the loop has not seen windowExited yet
	var w *fakeWindow
	select {
	case w = <-f.windows:
	default:
		t.Fatal("no new window: the exited one was taken for open")
	}
	defer w.close()
	if a.windows[ipc.ViewSettings] == gone {
		t.Fatal("the exited window is still listed")
	}
	// The late windowExited of the old process leaves the new window alone.
	a.onEvent(ctx, windowExited{view: ipc.ViewSettings, child: old})
	if a.windows[ipc.ViewSettings] == nil {
		t.Fatal("the old window's exit removed the new one")
	}
	// A window still running is not opened twice.
	a.openWindow(ctx, ipc.ViewSettings)
	select {
	case <-f.windows:
		t.Fatal("a second window for a view that is open")
	default:
	}
}

// On a desktop without a tray host the status window is the app's only
// face: when its process ends without the user closing it (a crash, or a
// window closed for not reading), the agent opens it again, and stops
// after a few ends in a row, so that a window that cannot start does not
// loop. One the user closed stays closed.
func TestStatusWindowReopensWhenItEndsByItself(t *testing.T) {
	f := newFixture(t)
	a, err := NewAgent(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.noHost = true

	opened := func() *fakeWindow {
		t.Helper()
		select {
		case w := <-f.windows:
			return w
		default:
			return nil
		}
	}
	exit := func(w *fakeWindow) {
		t.Helper()
		w.close()
		a.onEvent(ctx, windowExited{view: ipc.ViewStatus, child: w})
	}

	a.openWindow(ctx, ipc.ViewStatus)
	w := opened()
	if w == nil {
		t.Fatal("no status window")
	}
	for i := range maxStatusReopens {
		exit(w) // crashed
		if w = opened(); w == nil {
			t.Fatalf("end %d: the status window was not opened again", i+1)
		}
	}
	exit(w)
	if w := opened(); w != nil {
		w.close()
		t.Fatalf("opened again after %d ends in a row", maxStatusReopens+1)
	}

	// Closed by the user: not reopened, and the count starts over.
	a.openWindow(ctx, ipc.ViewStatus)
	if w = opened(); w == nil {
		t.Fatal("no status window")
	}
	a.onWindowMsg(ctx, ipc.ViewStatus, ipc.Closed{})
	exit(w)
	if w := opened(); w != nil {
		w.close()
		t.Fatal("a status window the user closed was opened again")
	}
	a.openWindow(ctx, ipc.ViewStatus)
	if w = opened(); w == nil {
		t.Fatal("no status window")
	}
	exit(w)
	if w = opened(); w == nil {
		t.Fatal("after a close by the user, a crash was not answered with a new window")
	}
	// With a tray host the tray is the app's face: nothing reopens.
	a.noHost = false
	exit(w)
	if w := opened(); w != nil {
		w.close()
		t.Fatal("reopened with a tray host")
	}
}

// A window asked for while the one of its view is closing (it was told its
// save or login went through, or to close, or said the user closed it) opens
// once that one's process has exited. The click came after the agent's
// answer and before the process ended: openWindow found the view's window
// still running and opened nothing (e2e: "no window Settings appeared" when
// Settings was opened again right after a save).
func TestWindowAskedForWhileItClosesOpensAfterIt(t *testing.T) {
	f := newFixture(t)
	a, err := NewAgent(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, c := range []struct {
		view  string
		close func()
	}{
		{ipc.ViewSettings, func() { a.sendTo(ipc.ViewSettings, ipc.SettingsResult{OK: true}) }},
		{ipc.ViewLogin, func() { a.sendTo(ipc.ViewLogin, ipc.LoginResult{OK: true}) }},
		{ipc.ViewRecent, func() { a.closeWindow(ipc.ViewRecent) }},
		{ipc.ViewRecent, func() { a.onWindowMsg(ctx, ipc.ViewRecent, ipc.Closed{}) }},
	} {
		a.openWindow(ctx, c.view)
		old := <-f.windows
		c.close()
		a.openWindow(ctx, c.view) // asked for again before the process ended
		select {
		case w := <-f.windows:
			w.close()
			t.Fatalf("%s: a second window while the first still runs", c.view)
		default:
		}
		old.close()
		a.onEvent(ctx, windowExited{view: c.view, child: old})
		select {
		case w := <-f.windows:
			w.close()
			a.onEvent(ctx, windowExited{view: c.view, child: w})
		default:
			t.Fatalf("%s: asked for while closing, not opened once it had exited", c.view)
		}
	}
	// A window that is not closing is not opened twice, and none is opened
	// after it exits unless asked for.
	a.openWindow(ctx, ipc.ViewSettings)
	w := <-f.windows
	a.openWindow(ctx, ipc.ViewSettings)
	w.close()
	a.onEvent(ctx, windowExited{view: ipc.ViewSettings, child: w})
	select {
	case w := <-f.windows:
		w.close()
		t.Fatal("a window opened though none was asked for after the running one")
	default:
	}
}
