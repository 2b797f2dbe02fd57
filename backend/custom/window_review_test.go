package custom

import (
	"testing"
	"time"

	"tasktray/internal/legacyserver"
)

// README, custom kind: "without ids, a backend that re-sends its recent
// messages after a reconnect does not pop them twice (a window of content
// hashes), but a message pushed while the link was down and not re-sent is
// lost, and a new message identical to a recent one that arrives first
// after a reconnect is taken for a re-send". So a new message that does
// NOT arrive first after the reconnect must pop.
//
// A backend that re-sends its last message to each new socket (Replay: 1)
// pushed "A", "B", "A"; the link is cut; the new socket gets the re-send
// "A", then a new "B" (a second "report ready"), then "C".
//
// Without knowing how many messages the backend re-sends this cannot be
// told from a re-send of the last three (A, B, A), which would pop B and
// A twice: docs/custom.md states that limit exactly. The profile's
// resume.replay (the fixer's choice) says how many; with replay = 1 the
// re-send is the last message only, and the new B must pop.
func TestReviewNewMessageAfterTheResendIsNotTakenForOne(t *testing.T) {
	b := startBackend(t, legacyserver.Config{Mode: legacyserver.Query, Replay: 1})
	p := b.protocol(t, modeProfiles[legacyserver.Query]+msgOnly+`
[resume]
replay = 1
`)
	s := login(t, p)
	r := run(t, p, s, nil)
	b.waitSocket(t, 1) // registered after the 101: a push before it would be lost (or, re-sent, out of order)
	const a, bb, c = "Report A ready", "Report B ready", "Report C ready"
	b.PushMsg(a)
	b.PushMsg(bb)
	b.PushMsg(a)
	for deadline := time.Now().Add(waitLong); ; time.Sleep(10 * time.Millisecond) {
		if seen := waitBodies(t, r, a, bb); seen[a] == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second A never came")
		}
	}
	gen := r.State().Generation // before the cut: the reconnect may be done before Kick returns
	if b.Kick() != 1 {
		t.Fatal("no socket to cut")
	}
	r.WaitReconnected(waitLong, gen)
	b.waitSocket(t, 2)
	b.PushMsg(bb) // second after the reconnect: the re-send of A came first
	b.PushMsg(c)
	seen := waitBodies(t, r, c)
	if seen[a] != 2 || seen[bb] != 2 || seen[c] != 1 {
		t.Errorf("delivered %v; want A twice (before the cut), B twice (the new B came after the re-send), C once", seen)
	}
}
