package tray

import (
	"context"

	"tasktray/notify"
)

// popup shows p on the popups peer, unless popups are paused or off;
// important ones show while paused too. The peer's queue is unbounded and
// nothing is dropped here: the notifier's Show never blocks (notify queues
// and folds a burst into a summary), so the queue drains as fast as tasks
// come.
func (a *Agent) popup(p notify.Popup) {
	if a.paused && !p.Important || a.cfg.PopupsOff != "" {
		return
	}
	show := a.cfg.Popups.Show
	a.popups.do(func(ctx context.Context) any {
		if err := show(ctx, p); err != nil && ctx.Err() == nil {
			return popupFailed{err}
		}
		return nil
	})
}
