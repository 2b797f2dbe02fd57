package ntfy_test

import (
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
