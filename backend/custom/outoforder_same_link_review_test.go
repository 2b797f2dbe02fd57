package custom

import (
	"fmt"
	"testing"

	"tasktray/internal/legacyserver"
)

// README, "Nothing twice": "ids that arrive out of order (24, 23, 22) are
// each delivered once". On one link the custom kind holds it: each of 24,
// 23, 22 is delivered, and a repeat of 24 is not.
func TestReviewOutOfOrderIDsOnOneLinkEachDeliveredOnce(t *testing.T) {
	b := startBackend(t, legacyserver.Config{Mode: legacyserver.Query, Replay: -1})
	p := b.protocol(t, modeProfiles[legacyserver.Query]+nested)
	s := login(t, p)
	r := run(t, p, s, nil)
	b.waitSocket(t, 1) // registered after the 101: a push before it would be lost (or, re-sent, out of order)
	frame := func(id int) string {
		return fmt.Sprintf(`{"type":"task","data":{"id":"%d","title":"task %d"}}`, id, id)
	}
	for _, id := range []int{24, 23, 22, 24, 25} {
		b.Push(frame(id))
	}
	r.WaitFor(waitLong, "25")
	if got := fmt.Sprint(r.Delivered()); got != "[24 23 22 25]" {
		t.Errorf("delivered %s, want [24 23 22 25]", got)
	}
}
