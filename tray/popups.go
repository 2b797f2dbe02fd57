package tray

import (
	"context"

	"tasktray/notify"
)

// maxQueuedPopups bounds the popups waiting for a slow notification daemon;
// beyond it a task's popup is dropped (it is in Recent tasks, and counted
// unread), an important one never.
const maxQueuedPopups = 100

// popup shows p on the popups peer, unless popups are paused or off;
// important ones show while paused too.
func (a *Agent) popup(p notify.Popup) {
	if a.paused && !p.Important || a.cfg.PopupsOff != "" {
		return
	}
	show := a.cfg.Popups.Show
	call := func(ctx context.Context) any {
		if err := show(ctx, p); err != nil && ctx.Err() == nil {
			return popupFailed{err}
		}
		return nil
	}
	if !a.popups.do(call) {
		if p.Important {
			a.popups.force(call)
			return
		}
		a.log.Warn("the notification daemon is behind; a popup is dropped (the task is in Recent tasks)", "task", p.ID)
	}
}
