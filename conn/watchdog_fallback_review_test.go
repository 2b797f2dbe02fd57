//go:build linux

package conn_test

import (
	"testing"

	"tasktray/conn"
)

// TestReviewFallbackBehavesAsBefore runs the package's silence and suspend
// tests on the read-deadline path (Windows, macOS, no timerfd), forced on
// Linux: a server silent from the open ends the link with "no answer", a
// server whose frames come faster than PongWait keeps it, an announced
// PongWait applies from the next frame, a wall-clock jump seen on a frame
// redials, a dropped link resumes; and no timerfd is made. No test ran
// that path through a Client before. Passes on f0d0b1a: a pin.
func TestReviewFallbackBehavesAsBefore(t *testing.T) {
	for name, test := range map[string]func(*testing.T){
		"silent from the open":       TestStalledLinkIsDeclaredDead,
		"frames keep it":             TestServerFramesKeepTheLinkPastPongWait,
		"announced PongWait":         TestAnnouncedPongWaitAppliesToTheNextFrame,
		"jump seen on a ping":        TestServerPingAfterWallClockJumpRedials,
		"jump seen on a task":        TestTaskAfterWallClockJumpRedialsAndArrivesOnce,
		"dropped link resumes":       TestResumesAfterDropWithoutLossOrDuplicate,
		"server pings, no own timer": TestServerPingedLinkArmsNoTimer,
	} {
		t.Run(name, func(t *testing.T) {
			conn.ForceReadDeadlineForReview(t)
			test(t)
		})
	}
	t.Run("no timerfd", func(t *testing.T) {
		conn.ForceReadDeadlineForReview(t)
		base := timerfds(t)
		srv := newFakeServer(t)
		h := start(t, srv, nil)
		h.waitPhase(t, conn.Connected)
		srv.waitLinks(t, 1)
		srv.publish("read") // the reader is running, its watchdog made
		h.expectNext(t, "read")
		if n := timerfds(t); n != base {
			t.Fatalf("%d timerfds with the read deadline forced, want %d", n, base)
		}
	})
}
