package tray

import (
	"time"

	"tasktray/settings"
)

// toggleQuiet turns "Do not disturb for 1 hour" on, or off when it is on.
// It is kept in the settings file, so it holds across a restart (but never
// replaces a damaged file: then it holds until quit).
func (a *Agent) toggleQuiet() {
	now := a.now()
	if a.prefs.s.DoNotDisturb(now) {
		a.prefs.s.DoNotDisturbUntil = time.Time{}
	} else {
		a.prefs.s.DoNotDisturbUntil = now.Add(settings.DoNotDisturbSpan).Round(time.Second)
	}
	a.applySettings()
	a.saveSettings("", false)
}

// quietNow reports whether popups are held now by quiet hours or do not
// disturb: the menu shows "Do not disturb" checked.
func (a *Agent) quietNow() bool { return a.prefs.s.Quiet(a.now()) }

// armQuietTimer wakes the loop when quiet hours or do not disturb next
// begin or end, so the menu shows it; the popup decision itself reads the
// clock at each task.
func (a *Agent) armQuietTimer() {
	if a.prefs.wake != nil {
		a.prefs.wake.Stop()
		a.prefs.wake = nil
	}
	now := a.now()
	next := a.prefs.s.NextChange(now)
	if next.IsZero() || a.prefs.post == nil {
		return
	}
	post := a.prefs.post
	a.prefs.wake = time.AfterFunc(next.Sub(now), func() { post(quietChanged{}) })
}
