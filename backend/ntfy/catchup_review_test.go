package ntfy_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"tasktray/auth"
	"tasktray/backend/internal/backendtest"
	"tasktray/backend/ntfy"
	"tasktray/conn"
)

// reviewRun starts a client (one app process) for s on cursor, whose links
// run their catch-up poll catchUpAfter after they open.
func reviewRun(t *testing.T, s auth.Session, cursor conn.CursorStore, startFrom string, catchUpAfter time.Duration) (*backendtest.Run, pollWatch) {
	t.Helper()
	p, err := ntfy.New(s.Account)
	if err != nil {
		t.Fatal(err)
	}
	p.PongWait, p.CatchUpAfter = pongWait, catchUpAfter
	w := newPollWatch(p)
	r := backendtest.StartRun(t, conn.Config{Protocol: w, Token: s.Token, StartFrom: startFrom, Cursor: cursor,
		Backoff: backendtest.FastBackoff, StableAfter: 200 * time.Millisecond, Dialer: p.Dialer(websocket.DefaultDialer)})
	return r, w
}

// The app was closed overnight; at the next start its first link replays
// the night's messages (more than conn's 1,024 remembered ids), and the app
// ends before that link's catch-up poll ran (quit, crash, log-out within
// 1.5 s; CatchUpAfter of an hour stands for it, as in
// TestShortLinksHandOnNoLongReplay). The link hands on its catch-up point,
// the start of the night, and the next process polls from there as it
// opens: every message of the night again, and a new process remembers
// only conn's last 1,024 ids (the Protocol's 32,768 are in memory). One
// link is enough: the fix of 64a6ffc bounds what a chain of short links
// hands on, not what one link with a long replay does.
func TestReviewLongReplayThenQuickRestartShowsNothingTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("takes seconds")
	}
	f := newFakeNtfy(t, keepalive, topic)
	s := login(t, f, topic)
	cursor := backendtest.CursorFile(t)
	seen := map[string]int{}
	tally := func(r *backendtest.Run) {
		for _, id := range r.Delivered() {
			seen[id]++
		}
	}

	// Yesterday: the app ran, its link polled, it was closed.
	r, w := reviewRun(t, s, cursor, s.Resume, 100*time.Millisecond)
	first := f.publish(topic, "yesterday", "", 0)
	r.WaitFor(waitLong, first)
	<-w.polled
	r.Stop()
	tally(r)

	// The night: 1,100 messages while the app is closed, about 100 a
	// second (conn's 1,024 ids cover the 2 s a link's since= replays).
	night := []string{first}
	for b := range 22 {
		for i := range 50 {
			night = append(night, f.publish(topic, fmt.Sprintf("night %d", b*50+i), "", 0))
		}
		time.Sleep(500 * time.Millisecond) // pacing: the night spans 11 s
	}

	// The morning's first start replays them all and ends before its poll.
	r, _ = reviewRun(t, s, cursor, s.Resume, time.Hour)
	r.WaitFor(waitLong, night[1:]...)
	r.Stop()
	tally(r)

	// The next start: its link polls, then a marker shows all is in.
	r, w = reviewRun(t, s, cursor, s.Resume, 100*time.Millisecond)
	r.WaitState(waitLong, "connected", func(st conn.State) bool { return st.Phase == conn.Connected })
	<-w.polled // the first poll (the inherited one, as the link opens)
	marker := f.publish(topic, "marker", "", 0)
	r.WaitFor(waitLong, marker)
	r.Stop()
	tally(r)

	twice := 0
	for _, id := range append(night, marker) {
		switch n := seen[id]; {
		case n == 0:
			t.Errorf("task %s lost", id)
		case n > 1:
			twice++
		}
	}
	if twice > 0 {
		t.Errorf("%d of %d tasks delivered twice (sinces %v, polls %v)", twice, len(night)+1, f.Sinces(), f.Polls())
	}
}

// Both cursor files are damaged at a restart, and the server cannot be
// reached as the app starts (the network comes up after the desktop, a
// very common start). Found by a review: conn asked HistoryNow once, it
// failed, and conn never asked again: the first link had no since= and a
// message published after the restart, while the network was down, was
// lost without a word (the Gap said "before the restart"). Now conn asks
// again before each dial; once the server answers, it can only say where
// its history stands then, so what came between the start and then is not
// fetched, and the Gap says so: it moves to that time. The promise kept is
// the README's: when both files are damaged, the user is told which tasks
// may be missing.
func TestReviewDamagedCursorsAndNoNetworkAtStartToldWhatIsMissing(t *testing.T) {
	f := newFakeNtfy(t, keepalive, topic)
	s := login(t, f, topic)
	cursor := backendtest.CursorFile(t)
	r, w := reviewRun(t, s, cursor, s.Resume, 100*time.Millisecond)
	before := f.publish(topic, "before the restart", "", 0)
	r.WaitFor(waitLong, before)
	<-w.polled
	r.Stop()
	for _, p := range []string{cursor.Path, cursor.Path + ".prev"} {
		if err := os.WriteFile(p, []byte("\x00garbage{"), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	f.stop() // the client's network is down: nothing answers
	restarted := time.Now()
	r, w = reviewRun(t, s, cursor, "", 100*time.Millisecond) // a restart: the login's resume point is not kept
	r.WaitState(waitLong, "redialling", func(st conn.State) bool { return st.Phase == conn.Reconnecting })
	time.Sleep(1100 * time.Millisecond) // pacing: the network stays down a while
	after := f.publish(topic, "published after the restart, while the network was down", "", 0)
	time.Sleep(2 * time.Second) // pacing: and a while longer
	f.start()
	r.WaitState(waitLong, "connected", func(st conn.State) bool { return st.Phase == conn.Connected })
	<-w.polled
	marker := f.publish(topic, "marker", "", 0)
	r.WaitFor(waitLong, marker)
	if !r.At(after).IsZero() {
		return // fetched after all
	}
	var gap conn.Gap
	select {
	case gap = <-r.Gaps():
	default:
		t.Fatalf("a task published %v after the restart, while the server could not be reached, was lost and no gap told (sinces %v, polls %v)",
			time.Duration(f.timeOf(after)-restarted.Unix())*time.Second, f.Sinces(), f.Polls())
	}
	if gap.Before.Unix() < f.timeOf(after) {
		t.Errorf("a task published at %d was lost; the gap says only tasks before %d may be missing", f.timeOf(after), gap.Before.Unix())
	}
	if !r.At(before).IsZero() {
		t.Errorf("a task delivered before the restart was delivered again")
	}
}
