package notify

import (
	"testing"
	"time"
)

// TestCoalescerSetMax: the threshold set at run time (the settings window)
// holds from the next popup on, and the summary plays a sound when the
// popups it stands for would.
func TestCoalescerSetMax(t *testing.T) {
	c, rec, clock := newTestCoalescer(t, CoalescerOptions{})
	c.SetMax(2)
	if on, max := c.Config(); !on || max != 2 {
		t.Fatalf("Config() = %t, %d; want true, 2", on, max)
	}
	for i := range 6 {
		p := task(i)
		p.Sound = true
		show(t, c, p)
	}
	clock.Advance(time.Minute)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.popups) != 3 || rec.popups[2].ID != SummaryID || rec.popups[2].Count != 4 {
		t.Fatalf("popups %+v: want 2 and a summary of 4", rec.popups)
	}
	if !rec.popups[2].Sound {
		t.Error("the summary of popups with sound is silent")
	}
	c.SetEnabled(false)
	if on, _ := c.Config(); on {
		t.Error("Config() says enabled after SetEnabled(false)")
	}
}
