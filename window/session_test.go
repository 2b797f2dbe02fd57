package window

import (
	"reflect"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"tasktray/ipc"
)

// quitRecorder is a test app whose driver counts Quit calls; the test
// driver's Quit does nothing.
type quitRecorder struct {
	fyne.App
	quits int
}

func (a *quitRecorder) Driver() fyne.Driver { return quitCounter{a.App.Driver(), &a.quits} }

type quitCounter struct {
	fyne.Driver
	quits *int
}

func (d quitCounter) Quit() { *d.quits++ }

// sessionFixture is a Session on a test app, recording what it sends.
type sessionFixture struct {
	s    *Session
	app  *quitRecorder
	win  fyne.Window
	sent []ipc.Message
}

func newSessionFixture(t *testing.T, view string) *sessionFixture {
	t.Helper()
	fx := &sessionFixture{app: &quitRecorder{App: test.NewTempApp(t)}}
	s, err := NewSession(fx.app, view, func(m ipc.Message) { fx.sent = append(fx.sent, m) })
	if err != nil {
		t.Fatal(err)
	}
	fx.s, fx.win = s, s.Window()
	t.Cleanup(fx.win.Close)
	return fx
}

// open reports whether the window process would still be running.
func (fx *sessionFixture) open() bool { return fx.app.quits == 0 }

func TestSessionViews(t *testing.T) {
	for _, tc := range []struct {
		view  string
		title string
	}{
		{ipc.ViewLogin, "Log in – tasktray"},
		{ipc.ViewRecent, "Recent tasks – tasktray"},
		{ipc.ViewStatus, "tasktray"},
	} {
		t.Run(tc.view, func(t *testing.T) {
			fx := newSessionFixture(t, tc.view)
			if got := fx.win.Title(); got != tc.title {
				t.Errorf("title %q, want %q", got, tc.title)
			}
			if size, min := fx.win.Canvas().Size(), fx.win.Content().MinSize(); size.Width < min.Width || size.Height < min.Height {
				t.Errorf("window %v smaller than its content %v", size, min)
			}
		})
	}
	if _, err := NewSession(test.NewTempApp(t), "settings", func(ipc.Message) {}); err == nil {
		t.Error("NewSession accepted an unknown view")
	}
}

func TestSessionLogin(t *testing.T) {
	fx := newSessionFixture(t, ipc.ViewLogin)
	f := fx.s.login
	if fx.win.Canvas().Focused() != f.server.entry {
		t.Error("the server URL is not focused at start")
	}
	fx.s.Handle(connected)
	if f.server.entry.Text != connected.Server || f.username.entry.Text != "ana" || f.selectedKind() != "native" {
		t.Errorf("form not filled from the state: %q %q %q", f.server.entry.Text, f.username.entry.Text, f.selectedKind())
	}
	if fx.win.Canvas().Focused() != f.password.entry {
		t.Error("the password is not focused once the rest is filled in")
	}
	f.server.entry.SetText("https://typed.example.com") // later states must not undo what the user typed
	fx.s.Handle(ipc.State{Server: "https://other.example.com", User: "bob"})
	if f.server.entry.Text != "https://typed.example.com" || f.username.entry.Text != "ana" {
		t.Errorf("a later state overwrote the form: %q %q", f.server.entry.Text, f.username.entry.Text)
	}
	f.server.entry.SetText(connected.Server)
	test.Type(f.password.entry, "pw")
	test.Tap(f.submit)
	want := ipc.Login{Kind: "native", Server: connected.Server, Username: "ana", Password: "pw"}
	if !reflect.DeepEqual(fx.sent, []ipc.Message{want}) {
		t.Fatalf("sent %v, want %v", fx.sent, want)
	}
	fx.s.Handle(ipc.LoginResult{ErrorKind: ipc.ErrorCredentials})
	if !fx.open() || shown(f.password) == "" {
		t.Fatal("a failed login closed the window or showed no error")
	}
	fx.s.Handle(ipc.LoginResult{OK: true})
	if fx.open() {
		t.Error("the window stays open after a successful login")
	}
	if len(fx.sent) != 1 {
		t.Errorf("sent %v after the login: closing on success is not the user's doing", fx.sent[1:])
	}
}

func TestSessionRecent(t *testing.T) {
	fx := newSessionFixture(t, ipc.ViewRecent)
	fx.s.Handle(connected) // states do not matter to this view
	fx.s.Handle(ipc.LoginResult{OK: true})
	fx.s.Handle(someTasks)
	if got := fx.s.recent.header.Text; got != "2 unread" || !fx.open() {
		t.Errorf("header %q, open %t", got, fx.open())
	}
}

func TestSessionStatus(t *testing.T) {
	fx := newSessionFixture(t, ipc.ViewStatus)
	fx.s.Handle(connected)
	if got := fx.s.status.status.Text; got != connected.Status {
		t.Errorf("status %q, want %q", got, connected.Status)
	}
}

func TestSessionClose(t *testing.T) {
	t.Run("by the agent", func(t *testing.T) {
		fx := newSessionFixture(t, ipc.ViewRecent)
		fx.s.Handle(ipc.Close{})
		if fx.open() || len(fx.sent) != 0 {
			t.Errorf("after close: open %t, sent %v; want closed and nothing sent", fx.open(), fx.sent)
		}
	})
	t.Run("by the user", func(t *testing.T) {
		fx := newSessionFixture(t, ipc.ViewRecent)
		fx.s.closedByUser() // what the window's close button calls
		if !slices.Equal(fx.sent, []ipc.Message{ipc.Closed{}}) || fx.open() {
			t.Errorf("sent %v, open %t; want closed sent and the app quit", fx.sent, fx.open())
		}
	})
	t.Run("once", func(t *testing.T) {
		fx := newSessionFixture(t, ipc.ViewLogin)
		fx.s.Handle(ipc.LoginResult{OK: true})
		fx.s.Handle(ipc.Close{})
		fx.s.closedByUser()
		if fx.app.quits != 1 || len(fx.sent) != 0 {
			t.Errorf("quit %d times, sent %v; want one quit and nothing sent", fx.app.quits, fx.sent)
		}
	})
}
