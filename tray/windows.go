package tray

import (
	"context"
	"errors"
	"time"

	"tasktray/internal/settle"
	"tasktray/ipc"
)

// window is one running window process.
type window struct {
	child WindowProcess
	done  chan struct{} // closed once the process has exited

	// For Recent tasks: the newest seq the window has been sent, and the
	// tasks read since the last Tasks message, which it holds unread.
	sent      int64
	readSince []int64

	closedByUser bool // it said ipc.Closed: the user closed it
	// closing: it is on its way out (it said Closed, or was told to close
	// or that its save or login went through); reopen: it was asked for
	// again meanwhile, and opens again once its process has exited.
	closing, reopen bool
}

// maxStatusReopens is how many times in a row the status window is opened
// again after its process ended by itself (see windowExited): enough for a
// crash now and then, not a loop when it cannot start.
const maxStatusReopens = 3

// openWindow starts the window process for view, unless it runs already.
func (a *Agent) openWindow(ctx context.Context, view string) {
	settle.Busy() // a window's traffic (pages of Recent tasks) allocates
	if w := a.windows[view]; w != nil {
		select {
		case <-w.done:
			// Its process has exited, and the loop has not handled the
			// windowExited yet (a click waiting may come first): it is
			// gone, open a new one. That late event leaves the new one.
			delete(a.windows, view)
		default:
			if w.closing {
				w.reopen = true
			}
			return
		}
	}
	child, err := a.cfg.Windows(ctx, view)
	if err != nil {
		a.log.Error("cannot open window", "view", view, "err", err)
		return
	}
	w := &window{child: child, done: make(chan struct{})}
	a.windows[view] = w
	go a.readWindow(ctx, view, w)
	a.sendTo(view, a.stateMessage(View{Status: a.status()}))
	if view == ipc.ViewRecent {
		a.sendRecentChanges(w) // all are new to it: the newest page
	}
}

// readWindow forwards one window's messages to the agent until it exits.
func (a *Agent) readWindow(ctx context.Context, view string, w *window) {
	for {
		m, err := w.child.Receive()
		if err != nil {
			w.child.Wait()
			close(w.done)
			select {
			case a.events <- windowExited{view: view, child: w.child}:
			case <-ctx.Done():
			}
			return
		}
		select {
		case a.events <- windowMsg{view: view, msg: m}:
		case <-ctx.Done():
			return
		}
	}
}

// windowExited forgets a window whose process has exited. The status window
// is the app's only face on a desktop without a tray host: when it ended
// by itself (it crashed, or was closed for not reading), it opens again.
func (a *Agent) windowExited(ctx context.Context, ev windowExited) {
	w := a.windows[ev.view]
	if w == nil || w.child != ev.child {
		return // a newer window of the same view runs
	}
	delete(a.windows, ev.view)
	if w.reopen && !a.quitting {
		a.openWindow(ctx, ev.view)
		return
	}
	if ev.view != ipc.ViewStatus || !a.noHost || a.quitting {
		return
	}
	if w.closedByUser {
		a.statusReopens = 0
		return
	}
	if a.statusReopens >= maxStatusReopens {
		a.log.Error("the status window keeps ending by itself; not opening it again", "times", a.statusReopens+1)
		return
	}
	a.statusReopens++
	a.log.Warn("the status window ended by itself; opening it again")
	a.openWindow(ctx, ipc.ViewStatus)
}

func (a *Agent) sendTo(view string, m ipc.Message) {
	if w := a.windows[view]; w != nil {
		switch m := m.(type) {
		case ipc.Close:
			w.closing = true
		case ipc.SettingsResult:
			w.closing = w.closing || m.OK
		case ipc.LoginResult:
			w.closing = w.closing || m.OK
		}
		switch err := w.child.Send(m); {
		case errors.Is(err, ipc.ErrWindowStuck):
			// The user sees the window vanish: say why without -v.
			a.log.Warn("a window stopped reading and was closed", "view", view, "err", err)
		case err != nil:
			a.log.Debug("window gone", "view", view, "err", err)
		}
	}
}

func (a *Agent) closeWindow(view string) {
	if w := a.windows[view]; w != nil {
		w.closing = true
		if err := w.child.Send(ipc.Close{}); err != nil {
			w.child.Kill()
		}
	}
}

// closeWindows ends every window process on the way out.
func (a *Agent) closeWindows() {
	for view, w := range a.windows {
		w.child.Send(ipc.Close{})
		select {
		case <-w.done:
		case <-time.After(2 * time.Second):
			w.child.Kill()
			<-w.done
		}
		delete(a.windows, view)
	}
}
