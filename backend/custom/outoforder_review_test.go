package custom

import (
	"fmt"
	"testing"

	"tasktray/internal/legacyserver"
)

// README, "Nothing twice": "Tasks are deduplicated by the set of ids
// delivered ..., across reconnects and restarts, so ids that arrive out of
// order (24, 23, 22) are each delivered once"; docs/custom.md and the
// README's custom section: "with ids (mapping.id), exactly once".
//
// A backend with ids (two workers publish, so 23 can reach the socket after
// 24) delivers 24, the link is cut, and after the reconnect 23 and then 25
// arrive. Each was never delivered, so each must be.
func TestReviewOutOfOrderIDAfterReconnectIsDelivered(t *testing.T) {
	b := startBackend(t, legacyserver.Config{Mode: legacyserver.Query, Replay: -1})
	p := b.protocol(t, modeProfiles[legacyserver.Query]+nested)
	s := login(t, p)
	r := run(t, p, s, nil)
	b.waitSocket(t, 1) // registered after the 101: a push before it would be lost (or, re-sent, out of order)
	frame := func(id int) string {
		return fmt.Sprintf(`{"type":"task","data":{"id":"%d","title":"task %d"}}`, id, id)
	}
	b.Push(frame(24))
	r.WaitFor(waitLong, "24")
	gen := r.State().Generation // before the cut: the reconnect may be done before Kick returns
	if b.Kick() != 1 {
		t.Fatal("no socket to cut")
	}
	r.WaitReconnected(waitLong, gen)
	b.waitSocket(t, 2)
	b.Push(frame(23))
	b.Push(frame(25))
	r.WaitFor(waitLong, "25")
	if got := r.Delivered(); len(got) != 3 || got[1] != "23" {
		t.Errorf("delivered %v, want [24 23 25]: 23 arrived after 24 and was dropped", got)
	}
}
