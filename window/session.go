// Package window holds the views of the window process (`tasktray window
// <view>`): the log-in form, recent tasks and, for desktops without a tray,
// the status window. A view is pure: it shows what the agent sends over ipc
// and sends back what the user did; the agent owns all state and does the
// login itself.
//
// The package never starts a Fyne driver, so it is tested with
// fyne.io/fyne/v2/test, without a display or cgo; package window/app runs a
// Session in a real window.
package window

import (
	"fmt"

	"fyne.io/fyne/v2"

	"tasktray/ipc"
)

// AppID is the application ID of the window process; FyneApp.toml says the
// same.
const AppID = "io.github.tasktray"

// Session is the one window of a window process: it shows a view, applies the
// agent's messages to it and sends what the user does. Its methods run on the
// Fyne goroutine.
type Session struct {
	win       fyne.Window
	send      func(ipc.Message)
	login     *LoginForm   // ipc.ViewLogin
	recent    *RecentTasks // ipc.ViewRecent
	status    *Status      // ipc.ViewStatus
	prefilled bool         // the login form got the account once
	closing   bool         // the window closes on the agent's word, not the user's
}

// NewSession puts view (ipc.ViewLogin, ipc.ViewRecent or ipc.ViewStatus) in
// w, titles and sizes w, and reports what the user does to send. When the
// user closes w it sends ipc.Closed before w closes.
func NewSession(w fyne.Window, view string, send func(ipc.Message)) (*Session, error) {
	s := &Session{win: w, send: send}
	var content fyne.CanvasObject
	var size fyne.Size
	switch view {
	case ipc.ViewLogin:
		s.login = NewLoginForm(func(l ipc.Login) { send(l) })
		content, size = s.login, fyne.NewSize(420, 320)
		w.SetTitle("Log in – tasktray")
	case ipc.ViewRecent:
		s.recent = NewRecentTasks(send)
		content, size = s.recent, fyne.NewSize(440, 520)
		w.SetTitle("Recent tasks – tasktray")
	case ipc.ViewStatus:
		s.status = NewStatus(send)
		content, size = s.status, fyne.NewSize(420, 300)
		w.SetTitle("tasktray")
	default:
		return nil, fmt.Errorf("window: unknown view %q (want %q, %q or %q)", view, ipc.ViewLogin, ipc.ViewRecent, ipc.ViewStatus)
	}
	w.SetContent(content)
	w.Resize(size.Max(content.MinSize()))
	w.SetOnClosed(func() {
		if !s.closing {
			send(ipc.Closed{})
		}
	})
	if s.login != nil {
		w.Canvas().Focus(s.login.server.entry)
	}
	return s, nil
}

// Handle applies one message from the agent. It closes the window on
// ipc.Close, and the login window after a successful login. Messages meant
// for the agent are ignored.
func (s *Session) Handle(m ipc.Message) {
	switch m := m.(type) {
	case ipc.State:
		if s.status != nil {
			s.status.SetState(m)
		}
		if s.login != nil && !s.prefilled {
			s.prefilled = true
			s.prefillLogin(m)
		}
	case ipc.Tasks:
		if s.recent != nil {
			s.recent.SetTasks(m)
		}
	case ipc.LoginResult:
		if s.login == nil {
			return
		}
		s.login.ShowResult(m)
		if m.OK {
			s.Close()
		}
	case ipc.Close:
		s.Close()
	}
}

// Close closes the window without sending ipc.Closed: the agent asked for it,
// or is gone.
func (s *Session) Close() {
	if s.closing {
		return
	}
	s.closing = true
	s.win.Close()
}

// prefillLogin fills in the account the agent knows, unless the user has
// started typing, and puts the cursor where typing goes on.
func (s *Session) prefillLogin(st ipc.State) {
	f := s.login
	if st.Server == "" || f.busy || f.server.entry.Text != "" || f.username.entry.Text != "" {
		return
	}
	f.SetAccount(st.Kind, st.Server, st.User)
	if st.User != "" {
		s.win.Canvas().Focus(f.password.entry)
	}
}

// setVisible shows or hides o.
func setVisible(o fyne.CanvasObject, visible bool) {
	if visible {
		o.Show()
	} else {
		o.Hide()
	}
}
