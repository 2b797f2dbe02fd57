package tray

import (
	"slices"
	"testing"
	"time"

	"tasktray/settings"
)

// "Do not disturb for 1 hour" from the menu: a clock set back (NTP after a
// bad RTC, a dual-boot machine's local-time RTC) across a restart must not
// turn the hour into a day. DoNotDisturbUntil is a wall time, so after the
// clock goes back a day the hold lasts 25 hours.
func TestReviewDoNotDisturbClockBack(t *testing.T) {
	clock := &fakeClock{now: today(12, 0)}
	f := newFixture(t)
	f.startWithClock(t, clock)
	f.loggedIn(t)
	f.menu.actions <- ActionQuiet
	f.menu.waitView(t, "do not disturb", func(v View) bool { return v.Quiet })
	path := settings.Path(f.cfg.AccountPath)
	waitFor(t, "do not disturb in the settings file", func() bool {
		s, err := settings.Load(path, settings.Defaults())
		return err == nil && s.DoNotDisturbUntil.Equal(today(13, 0))
	})
	f.stop()

	// The clock was a day ahead and is put right; then more than the hour
	// passes.
	clock.Set(today(12, 0).AddDate(0, 0, -1).Add(time.Hour + time.Minute))
	f.startWithClock(t, clock)
	f.loggedIn(t)
	f.publish(t, "an hour later", 3)
	f.publish(t, "marker", 5) // urgent: pops up either way, after the one before
	if got := f.waitPopup(t, "marker"); !slices.Contains(got, "an hour later") {
		t.Fatalf("popups %q: do not disturb for 1 hour still holds 61 minutes after it was turned on (clock set back a day)", got)
	}
}
