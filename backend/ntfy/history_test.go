package ntfy_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"tasktray/backend/internal/backendtest"
	"tasktray/backend/ntfy"
	"tasktray/conn"
)

// HistoryNow is where the cache stands: no cached message may come after
// it, or a restart without its cursor files (damaged) shows that message
// again. ntfy's since=latest is each topic's newest by time, then row,
// while since=<id> is "the rows after id's": a message cached after another
// but dated a second earlier (two publishers, or a slow one) would be
// replayed, and so would the newer of two topics' messages of one second
// when the other topic's came last in the answer.
func TestHistoryNowHasNothingAfterIt(t *testing.T) {
	const other = "tasks-team"
	for _, tc := range []struct {
		name    string
		publish func(f *fakeNtfy) (newest string)
	}{
		{"a later row dated earlier", func(f *fakeNtfy) string {
			f.dateAhead(5) // its publisher's request was dated first, cached first
			f.publish(topic, "dated later", "", 0)
			f.dateAhead(0)
			return f.publish(topic, "cached later", "", 0)
		}},
		{"two topics in one second", func(f *fakeNtfy) string {
			f.dateAhead(3600) // one second for both, whatever the clock does
			defer f.dateAhead(0)
			f.publish(other, "first, on the topic listed last", "", 0)
			return f.publish(topic, "second, on the topic listed first", "", 0)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeNtfy(t, keepalive, topic, other)
			s := login(t, f, topic+","+other)
			newest := tc.publish(f)
			p, err := ntfy.New(s.Account)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.HistoryNow(context.Background(), s.Token)
			if err != nil {
				t.Fatal(err)
			}
			if got != newest {
				t.Errorf("HistoryNow %q, want the last cached message %q: the cache holds %s", got, newest, f)
			}
		})
	}
}

// Links that each end before their catch-up poll (an app restarted again
// and again, a network that drops every link within a second) hand on the
// oldest unpolled point. The poll that finally runs, in a later process,
// reached back to it: every task since then again, and conn remembers only
// its last 1,024 ids across a restart (this test delivered
// N of its 1,101 tasks twice without its fix). Each link
// now polls from an older link's point as it opens, and hands on its own.
func TestShortLinksHandOnNoLongReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("takes seconds")
	}
	f := newFakeNtfy(t, keepalive, topic)
	s := login(t, f, topic)
	cursor := backendtest.CursorFile(t)
	seen := map[string]int{}
	var published []string
	run := func(catchUpAfter time.Duration, publish int) {
		p, err := ntfy.New(s.Account)
		if err != nil {
			t.Fatal(err)
		}
		p.CatchUpAfter = catchUpAfter
		w := newPollWatch(p)
		links := len(f.Sinces())
		r := backendtest.StartRun(t, conn.Config{Protocol: w, Token: s.Token, StartFrom: s.Resume, Cursor: cursor,
			Backoff: backendtest.FastBackoff, Dialer: p.Dialer(websocket.DefaultDialer)})
		r.WaitState(waitLong, "subscribed and connected", func(st conn.State) bool {
			return len(f.Sinces()) > links && st.Phase == conn.Connected
		})
		var ids []string
		for i := range publish {
			ids = append(ids, f.publish(topic, fmt.Sprintf("task %d", len(published)+i), "", 0))
		}
		published = append(published, ids...)
		r.WaitFor(waitLong, ids...)
		if catchUpAfter < time.Hour {
			// The last link: its catch-up poll runs, then a marker shows
			// that everything it found is in.
			<-w.polled
			marker := f.publish(topic, "marker", "", 0)
			published = append(published, marker)
			r.WaitFor(waitLong, marker)
		}
		r.Stop()
		again := 0
		for _, id := range r.Delivered() {
			if seen[id] > 0 {
				again++
			}
			seen[id]++
		}
		if again > 0 {
			t.Logf("a link delivered %d tasks again; sinces %v, polls %v", again, f.Sinces(), f.Polls())
		}
	}
	// 55 links of 20 tasks each over 14 s or more (80 tasks a second at
	// most: conn's 1,024 ids cover the few seconds each link replays),
	// none living to its own catch-up poll: more tasks than conn
	// remembers.
	for range 55 {
		run(time.Hour, 20)
		time.Sleep(250 * time.Millisecond) // pacing, so the links span seconds as such links do
	}
	run(100*time.Millisecond, 0)
	twice := 0
	for _, id := range published {
		switch n := seen[id]; {
		case n == 0:
			t.Errorf("task %s lost", id)
		case n > 1:
			twice++
		}
	}
	if twice > 0 {
		t.Errorf("%d of %d tasks delivered twice", twice, len(published))
	}
}
