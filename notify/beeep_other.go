//go:build !linux

package notify

import (
	"context"
	"sync"

	"github.com/gen2brain/beeep"

	"tasktray/conn"
)

// NewDesktop returns a Notifier that shows popups through
// github.com/gen2brain/beeep (Notification Center on macOS, toasts on
// Windows), behind a queue so that Show never waits. These popups carry no actions, so a click opens nothing, and a
// popup never replaces another.
func NewDesktop(o Options) (Notifier, error) {
	setAppName.Do(func() { beeep.AppName = appName })
	o = o.withDefaults()
	// beeep waits for a helper process on Windows: the queue keeps that
	// off the caller.
	return newQueue(&beeepNotifier{icon: o.Icon}, nil, o), nil
}

// setAppName guards beeep's package variable against concurrent
// NewDesktop calls.
var setAppName sync.Once

type beeepNotifier struct {
	icon []byte
}

func (b *beeepNotifier) Show(ctx context.Context, p Popup) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p = clipPopup(p)
	if p.Sound && conn.ClampPriority(p.Priority) == conn.PriorityMax {
		// Alert plays the system sound with the popup; with sound off in
		// settings an urgent task shows as any other.
		return beeep.Alert(p.Title, p.Body, b.icon)
	}
	return beeep.Notify(p.Title, p.Body, b.icon)
}

func (b *beeepNotifier) Close() error { return nil }
