package ntfy_test

import (
	"testing"
	"time"

	"tasktray/backend/internal/backendtest"
	"tasktray/conn"
)

// A message ntfy dates earlier than it sends it: a scheduled message
// (X-Delay, at least 10 s) is dated its due time and sent by ntfy's
// delayed sender, which runs every 10 s (DelayedSenderInterval), so up to
// 10 s later; a message with an attachment is dated as its request starts
// (newDefaultMessage, server.go:752) and sent once the upload is read
// (handlePublishBody, server.go:784). The fake dates it so (dateAhead).
// Here it is sent while the app is closed, 8 s after its date, after a
// message dated later was delivered. The next start resumes with
// since=<that message's time - 2 s>, and its catch-up poll asks from the
// same point: the message is in neither, and is lost. (since=<id>, which
// follows cache rows, would have replayed the attachment's message, cached
// after; not the scheduled one, whose row is from when it was scheduled.)
func TestReviewMessageDatedBeforeItWasSentIsNotLost(t *testing.T) {
	f := newFakeNtfy(t, keepalive, topic)
	s := login(t, f, topic)
	cursor := backendtest.CursorFile(t)
	r, w := reviewRun(t, s, cursor, s.Resume, 100*time.Millisecond)
	a := f.publish(topic, "delivered before the app closed", "", 0)
	r.WaitFor(waitLong, a)
	<-w.polled
	r.Stop()

	f.dateAhead(-8) // due (or its upload begun) 8 s ago, sent now
	late := f.publish(topic, "scheduled, sent by the delayed sender while the app was closed", "", 0)
	f.dateAhead(0)

	r, w = reviewRun(t, s, cursor, s.Resume, 100*time.Millisecond)
	r.WaitState(waitLong, "connected", func(st conn.State) bool { return st.Phase == conn.Connected })
	<-w.polled
	marker := f.publish(topic, "marker", "", 0)
	r.WaitFor(waitLong, marker)
	if r.At(late).IsZero() {
		t.Errorf("a message dated %d s before the last delivered one and sent after it was lost (sinces %v, polls %v)",
			f.timeOf(a)-f.timeOf(late), f.Sinces(), f.Polls())
	}
}
