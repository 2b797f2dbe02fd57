package tray

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"tasktray/assets"
	"tasktray/ipc"
	"tasktray/server"
)

// shellWindow starts a real window process that runs script in sh: the
// agent talks to it through ipc.Spawn, as to the real window.
func shellWindow(ctx context.Context, script string) (WindowProcess, error) {
	return ipc.Spawn(ctx, "sh", []string{"-c", script})
}

// TestWindowThatNeverReadsIsKilled: a Recent tasks window that never reads
// its pipe neither freezes the agent (menu, tasks, Quit) nor stays
// registered: it is killed, and the next "Recent tasks" opens a new one.
func TestWindowThatNeverReadsIsKilled(t *testing.T) {
	old, grace := ipc.StuckAfter, ipc.StartupGrace
	ipc.StuckAfter, ipc.StartupGrace = 300*time.Millisecond, 0
	t.Cleanup(func() { ipc.StuckAfter, ipc.StartupGrace = old, grace })

	f := newFixture(t)
	launched := make(chan string, 4)
	fake := f.cfg.Windows
	f.cfg.Windows = func(ctx context.Context, view string) (WindowProcess, error) {
		if view != ipc.ViewRecent {
			return fake(ctx, view)
		}
		launched <- view
		return shellWindow(ctx, "exec sleep 3600") // never reads stdin
	}
	f.start(t)
	f.login(t, "wonderland").expect(t, "ok", isResult)
	f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected })
	f.menu.click(t, ActionRecent)
	<-launched
	// Far more than a pipe buffer of task lists.
	// In runs of 100: the reference server drops a client whose queue is
	// full.
	body := strings.Repeat("a long body ", 600)
	for i := range 600 {
		if _, err := f.srv.Publish("alice", server.TaskInput{Title: fmt.Sprint("Task ", i, strings.Repeat(" with a long title", 10)), Body: body}); err != nil {
			t.Fatal(err)
		}
		if i%100 == 99 {
			f.menu.waitView(t, fmt.Sprint(i+1, " unread"), func(v View) bool { return v.Unread == i+1 })
		}
	}
	f.menu.click(t, ActionPause)
	f.menu.waitView(t, "paused", func(v View) bool { return v.Paused })
	// The stuck window is gone from the agent: Recent tasks opens anew.
	waitFor(t, "a new Recent tasks window", func() bool {
		select {
		case f.menu.actions <- ActionRecent:
		case <-time.After(wait):
			t.Fatal("the agent loop is blocked")
		}
		select {
		case <-launched:
			return true
		case <-time.After(50 * time.Millisecond):
			return false
		}
	})
	f.menu.click(t, ActionQuit)
}

// TestWindowGarbageIsSkipped: a window that writes garbage lines is still
// heard: its next valid message acts.
func TestWindowGarbageIsSkipped(t *testing.T) {
	show, err := ipc.Encode(ipc.Show{View: ipc.ViewRecent})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	recent := make(chan struct{}, 1)
	fake := f.cfg.Windows
	f.cfg.Windows = func(ctx context.Context, view string) (WindowProcess, error) {
		switch view {
		case ipc.ViewStatus:
			script := fmt.Sprintf(`printf '%%s\n' 'garbage' '{"type":' '{"type":"no-such"}' '%s'; head -c 300000 /dev/zero | tr '\0' x; echo; printf '%%s\n' '%s'; cat >/dev/null`, show, show)
			return shellWindow(ctx, script)
		case ipc.ViewRecent:
			recent <- struct{}{}
		}
		return fake(ctx, view)
	}
	noHost := make(chan bool, 1)
	noHost <- true // opens the status window
	f.cfg.NoTrayHost = noHost
	f.start(t)
	select {
	case <-recent:
	case <-time.After(wait):
		t.Fatal("the window's valid message after garbage was not heard")
	}
}
