package native

import (
	"testing"
	"time"

	"tasktray/conn"
	"tasktray/server"
)

// README, "Nothing missed, from the first second": "The resume point exists
// from the moment of login ... a task published after the login and before
// the first task arrives, while the link is down, or while the app is not
// running is delivered", and "The resume point is saved durably ... after
// every batch".
//
// The user logs in; the link cannot come up yet (the server's /ws answers
// 503); a task is published; the app is killed (SIGKILL, a power cut, a
// session logout that kills it) while it waits to retry. What it left on
// disk at that moment is what the next start has: the keyring holds the
// token, not auth.Session.Resume, so the next start's StartFrom is "".
func TestReviewKilledBeforeTheFirstLinkKeepsTheLoginResumePoint(t *testing.T) {
	ref := newReference(t, server.Config{Epoch: "E1"})
	s := ref.login(t)
	if s.Resume == "" {
		t.Fatalf("the login gave no resume point")
	}
	ref.down.Store(true)
	ref.Publish("alice", server.TaskInput{Title: "after the login, before any link"})

	onDisk := newSavedCursor()
	p, _ := New(ref.url)
	c1 := runClient(t, conn.Config{Protocol: p, Token: s.Token, StartFrom: s.Resume, Cursor: onDisk})
	guard := time.After(waitLong)
	for reconnecting := false; !reconnecting; {
		select {
		case st := <-c1.States():
			reconnecting = st.Phase == conn.Reconnecting && st.Attempt >= 2
		case <-guard:
			t.Fatal("the first link never failed")
		}
	}
	// The process dies here: this is what is on disk.
	left, _ := onDisk.Load()

	restarted := &conn.MemoryCursor{}
	restarted.Save(left)
	ref.down.Store(false)
	p2, _ := New(ref.url)
	c2 := runClient(t, conn.Config{Protocol: p2, Token: s.Token, Cursor: restarted})
	for connected := false; !connected; {
		select {
		case st := <-c2.States():
			connected = st.Phase == conn.Connected
		case <-guard:
			t.Fatal("the restarted link never came up")
		}
	}
	ref.Publish("alice", server.TaskInput{Title: "marker"})
	select {
	case task := <-c2.Tasks():
		if task.Title != "after the login, before any link" {
			t.Fatalf("after the restart the first task is %q; the task published after the login was lost (cursor left on disk: %+v, login resume %q)", task.Title, left, s.Resume)
		}
	case <-guard:
		t.Fatal("no task after the restart")
	}
}
