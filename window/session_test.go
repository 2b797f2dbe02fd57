package window

import (
	"reflect"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"tasktray/ipc"
)

// sessionFixture is a Session in a test window, recording what it sends.
type sessionFixture struct {
	s    *Session
	win  fyne.Window
	sent []ipc.Message
}

func newSessionFixture(t *testing.T, view string) *sessionFixture {
	t.Helper()
	test.NewTempApp(t)
	fx := &sessionFixture{win: test.NewWindow(nil)}
	t.Cleanup(func() {
		if fx.open() { // the test driver panics on a second Close
			fx.win.Close()
		}
	})
	s, err := NewSession(fx.win, view, func(m ipc.Message) { fx.sent = append(fx.sent, m) })
	if err != nil {
		t.Fatal(err)
	}
	fx.s = s
	return fx
}

func (fx *sessionFixture) open() bool {
	return slices.Contains(fyne.CurrentApp().Driver().AllWindows(), fx.win)
}

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
	test.NewTempApp(t)
	if _, err := NewSession(test.NewTempWindow(t, nil), "settings", func(ipc.Message) {}); err == nil {
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
		fx.win.Close()
		if !slices.Equal(fx.sent, []ipc.Message{ipc.Closed{}}) {
			t.Errorf("sent %v, want closed", fx.sent)
		}
	})
}
