//go:build windows

package tray

import (
	"testing"
)

// TestPowerEventIsResume: only the two "the machine woke up" broadcasts
// count as a resume; going to sleep and the other power broadcasts do not
// (a redial on PBT_APMSUSPEND would race the machine going down).
func TestPowerEventIsResume(t *testing.T) {
	for _, c := range []struct {
		name string
		pbt  uint32
		want bool
	}{
		{"PBT_APMRESUMEAUTOMATIC", 0x12, true},
		{"PBT_APMRESUMESUSPEND", 0x7, true},
		{"PBT_APMSUSPEND", 0x4, false},
		{"PBT_APMPOWERSTATUSCHANGE", 0xA, false},
		{"PBT_POWERSETTINGCHANGE", 0x8013, false},
		{"zero", 0, false},
	} {
		if got := isResumeEvent(c.pbt); got != c.want {
			t.Errorf("isResumeEvent(%s=%#x) = %v, want %v", c.name, c.pbt, got, c.want)
		}
	}
}

// TestPowerCallbackNeverBlocks: the callback runs on a system thread that
// must not wait on the agent; with nobody reading, a second resume returns
// at once and the reader still sees one (coalesced) tick. A callback for a
// registration that has ended, or a non-resume broadcast, delivers nothing.
func TestPowerCallbackNeverBlocks(t *testing.T) {
	out := make(chan struct{}, 1)
	id := subscribeResume(out)
	if r := onPowerEvent(id, 0x4, 0); r != 0 {
		t.Fatalf("callback returned %d, want ERROR_SUCCESS", r)
	}
	select {
	case <-out:
		t.Fatal("PBT_APMSUSPEND delivered a resume")
	default:
	}
	onPowerEvent(id, 0x12, 0)
	onPowerEvent(id, 0x7, 0) // would block forever on a blocking send
	<-out
	select {
	case <-out:
		t.Fatal("two resumes were not coalesced into one tick")
	default:
	}
	unsubscribeResume(id)
	onPowerEvent(id, 0x12, 0)
	select {
	case <-out:
		t.Fatal("a resume was delivered after its registration ended")
	default:
	}
}
