package tray

import (
	"context"
	"time"

	"tasktray/conn"
	"tasktray/notify"
	"tasktray/settings"
)

// popup shows p on the popups peer, unless the settings hold it back (see
// popupWanted) or popups are paused or off; important ones (log in again,
// tasks missing, a damaged settings file) show while paused or quiet too.
// Every task is in Recent tasks whatever this decides. The peer's queue is
// unbounded and nothing is dropped here: the notifier's Show never blocks
// (notify queues and folds a burst into a summary), so the queue drains as
// fast as tasks come.
func (a *Agent) popup(p notify.Popup) {
	if a.cfg.PopupsOff != nil {
		return
	}
	if !p.Important && (a.paused || !popupWanted(a.prefs.s, p.Priority, a.now())) {
		return
	}
	p.Sound = a.prefs.s.Sound
	show := a.cfg.Popups.Show
	a.popups.do(func(ctx context.Context) any {
		if err := show(ctx, p); err != nil && ctx.Err() == nil {
			return popupFailed{err}
		}
		return nil
	})
}

// popupWanted says whether a task of this priority pops up at now: from
// the priority chosen on, and not in quiet hours or do not disturb, unless
// it is urgent (priority 5) and urgent tasks break through.
func popupWanted(s settings.Settings, priority int, now time.Time) bool {
	p := conn.ClampPriority(priority)
	if p < s.MinPriority {
		return false
	}
	if s.Quiet(now) {
		return s.UrgentBreaksThrough && p >= conn.PriorityMax
	}
	return true
}
