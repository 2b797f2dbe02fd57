// Package app runs a window process: `tasktray window <view>` calls Run. It
// is the only window-side package that starts a Fyne driver, which keeps
// package window testable without a display or cgo.
package app

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"tasktray/assets"
	"tasktray/i18n"
	"tasktray/ipc"
	"tasktray/window"
)

// exitGrace is how long a window process may take to wind down after its
// agent left (EOF on its input) before it exits without waiting for the
// driver.
const exitGrace = 10 * time.Second

// closeSession closes the window when the agent is gone; tests replace it
// to play a driver that does not wind down.
var closeSession = func(s viewSession) { s.Close() }

// Run shows view (ipc.ViewLogin, ipc.ViewRecent, ipc.ViewStatus or
// ipc.ViewSettings) in a window fed by the agent's messages on in, and
// writes what the user does to out. It returns once the window has closed: closed by the user (out gets
// ipc.Closed), on ipc.Close, after a successful login, or at EOF on in,
// which means the agent is gone. A login window shows once the agent's first
// message (its state) is applied. The error is nil unless in broke. It speaks
// the language the agent passed in i18n.EnvVar.
func Run(view string, in io.Reader, out io.Writer) error {
	i18n.FromEnv() // the agent's language, which may be the user's choice over the system's
	a := fyneapp.NewWithID(window.AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.AppIcon))
	conn := ipc.NewConn(in, out)
	send := func(m ipc.Message) {
		if err := conn.Send(m); err != nil {
			// The agent no longer listens: nothing this window does matters.
			// Stop the driver as Session.Close does, and for its reason.
			fmt.Fprintln(os.Stderr, "tasktray window:", err)
			a.Driver().Quit()
		}
	}
	var session viewSession
	var err error
	if view == ipc.ViewSettings {
		session = window.NewSettingsSession(a, send)
	} else if session, err = window.NewSession(a, view, send); err != nil {
		return err
	}
	if view == ipc.ViewLogin {
		// The agent sends its state as soon as it starts the window: apply
		// it before the window shows, so that it opens with the account the
		// agent knows filled in and the cursor where typing goes on. Shown
		// first, the window took keys into its server field until the
		// state came, and then kept what was typed over the account (a
		// person typing at once, or the e2e tests, which typed the password
		// into the server field one run in many under load).
		show, err := first(conn, session)
		if !show {
			return err
		}
	}
	readErr := make(chan error, 1)
	go func() {
		readErr <- receive(conn, session)
		fyne.Do(func() { closeSession(session) })
		// The agent is gone: nothing may keep this process, and its window,
		// alive. Should the driver not wind down (CI saw one window process
		// outlive its agent's pipe by 30 s, once in many runs), leave anyway,
		// with every goroutine's stack on stderr to say where it hung.
		time.AfterFunc(exitGrace, func() {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			fmt.Fprintf(os.Stderr, "tasktray window: still running %v after the agent left; exiting. Goroutines:\n%s\n", exitGrace, buf)
			os.Exit(0)
		})
	}()
	w := session.Window()
	w.CenterOnScreen()
	w.ShowAndRun()
	select {
	case err := <-readErr:
		return err
	default:
		return nil // the reader is still blocked on in; the process is about to exit
	}
}

// first applies the agent's first message to session on the calling
// goroutine (the main one, before the driver runs). It says whether to show
// the window: not when the agent is gone (EOF, nil error) or input broke
// before any message came, nor when the agent closed the window at once.
func first(conn *ipc.Conn, session viewSession) (show bool, err error) {
	m, err := conn.Receive()
	switch {
	case err == io.EOF:
		return false, nil
	case err != nil:
		return false, err
	}
	if _, ok := m.(ipc.Close); ok {
		return false, nil
	}
	apply(session, m)
	return true, nil
}

// apply applies one message from the agent to session.
func apply(session viewSession, m ipc.Message) {
	if l, ok := m.(ipc.Language); ok {
		// The user picked a language in settings: texts made from now
		// on speak it.
		i18n.SetLanguage(l.Language)
	}
	session.Handle(m)
}

// receive applies the agent's messages to session on the Fyne goroutine until
// conn's input ends; conn skips (and logs) lines that are not messages. It
// returns nil at EOF.
func receive(conn *ipc.Conn, session viewSession) error {
	for {
		m, err := conn.Receive()
		switch {
		case err == io.EOF:
			return nil
		case err != nil:
			return err
		}
		fyne.Do(func() { apply(session, m) })
	}
}

// viewSession is a window of this process: window.Session, or the settings
// window's window.SettingsSession.
type viewSession interface {
	Window() fyne.Window
	Handle(ipc.Message)
	Close()
}
