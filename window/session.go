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

// loginSize is the size the login window opens at; the form fits in it.
var loginSize = fyne.NewSize(420, 380)

// Session is the one window of a window process: it shows a view, applies the
// agent's messages to it and sends what the user does. Its window closing
// ends the app. Its methods run on the Fyne goroutine.
type Session struct {
	app       fyne.App
	win       fyne.Window
	send      func(ipc.Message)
	login     *LoginForm   // ipc.ViewLogin
	recent    *RecentTasks // ipc.ViewRecent
	status    *Status      // ipc.ViewStatus
	diag      *Diagnostics // ipc.ViewDiagnostics
	prefilled bool         // the login form got the account once
	closed    bool
}

// NewSession makes a's window for view (ipc.ViewLogin, ipc.ViewRecent or
// ipc.ViewStatus), titled and sized, reporting what the user does to send.
// When the user closes the window it sends ipc.Closed and stops a's driver.
// The caller shows the window (Window).
func NewSession(a fyne.App, view string, send func(ipc.Message)) (*Session, error) {
	s := &Session{app: a, send: send}
	var title string
	var content fyne.CanvasObject
	var size fyne.Size
	switch view {
	case ipc.ViewLogin:
		s.login = NewLoginForm(func(l ipc.Login) { send(l) })
		title, content, size = titleLogin.String(), s.login, loginSize
	case ipc.ViewRecent:
		s.recent = NewRecentTasks(send)
		title, content, size = titleRecent.String(), s.recent, fyne.NewSize(440, 520)
	case ipc.ViewStatus:
		s.status = NewStatus(send)
		title, content, size = titleStatus.String(), s.status, fyne.NewSize(420, 300)
	case ipc.ViewDiagnostics:
		s.diag = NewDiagnostics(a.Clipboard(), s.closedByUser)
		title, content, size = titleDiagnostics.String(), s.diag, diagnosticsSize
	default:
		return nil, fmt.Errorf("window: unknown view %q (want %q, %q or %q)", view, ipc.ViewLogin, ipc.ViewRecent, ipc.ViewStatus)
	}
	s.win = a.NewWindow(title)
	s.win.SetContent(content)
	s.win.Resize(size.Max(content.MinSize()))
	s.win.SetCloseIntercept(s.closedByUser)
	if s.login != nil {
		s.win.Canvas().Focus(s.login.server.entry)
	}
	return s, nil
}

// Window is the session's window, for the caller to show.
func (s *Session) Window() fyne.Window { return s.win }

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
			s.recent.Apply(m)
		}
	case ipc.LoginResult:
		if s.login == nil {
			return
		}
		s.login.ShowResult(m)
		if m.OK {
			s.Close()
		}
	case ipc.Found:
		if s.recent != nil {
			s.recent.ApplyFound(m)
		}
	case ipc.Diagnostics:
		if s.diag != nil {
			s.diag.SetReport(m)
		}
	case ipc.Close:
		s.Close()
	}
}

// Close ends the window, without sending ipc.Closed: the agent asked for it,
// or is gone. It stops the app's driver, which takes the window with it,
// rather than closing the window or quitting the app (which closes every
// window first). Fyne's GLFW driver panics on a pointer event that reaches a
// closed window in the frame before it is destroyed (the panic of
// fyne-io/fyne#5981; window/app's TestRunExitsOnClose hit it one run in
// three), and the login window closes right under the pointer that tapped
// "Log in".
func (s *Session) Close() {
	if s.closed {
		return
	}
	s.closed = true
	s.app.Driver().Quit()
}

// closedByUser answers the window's close button.
func (s *Session) closedByUser() {
	if !s.closed {
		s.send(ipc.Closed{})
	}
	s.Close()
}

// prefillLogin fills in the account the agent knows, unless the user has
// started typing, and puts the cursor where typing goes on.
func (s *Session) prefillLogin(st ipc.State) {
	f := s.login
	if st.Profile != "" && f.Profile() == nil {
		// Kind and server come from the profile: only the username and
		// password are typed (the username of a custom account is kept).
		if f.SetProfile(st.Profile) == nil {
			s.win.SetTitle(f.Profile().Name)
		}
		focus := f.username.entry
		if st.Kind == customKind && st.User != "" {
			f.username.entry.SetText(st.User)
			focus = f.password.entry
		}
		f.SetCAFile(st.CAFile)
		s.win.Canvas().Focus(focus)
		return
	}
	if st.ProfileError != "" {
		f.ShowProfileError(st.ProfileError)
	}
	if st.Server == "" || f.busy || f.server.entry.Text != "" || f.username.entry.Text != "" {
		return
	}
	f.SetAccount(st.Kind, st.Server, st.User)
	f.SetCAFile(st.CAFile)
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
