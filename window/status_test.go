package window

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"tasktray/ipc"
)

func newStatusFixture(t *testing.T) (*Status, *[]ipc.Message) {
	t.Helper()
	test.NewTempApp(t)
	var sent []ipc.Message
	s := NewStatus(func(m ipc.Message) { sent = append(sent, m) })
	test.NewTempWindow(t, s)
	return s, &sent
}

var connected = ipc.State{Phase: "connected", Status: "Connected to tasks.example.com", LoggedIn: true,
	Kind: "native", Server: "https://tasks.example.com", User: "ana"}

func TestStatusShowsState(t *testing.T) {
	s, _ := newStatusFixture(t)
	if !s.login.Visible() || s.logout.Visible() || !s.reconnect.Disabled() {
		t.Error("before any state: want Log in offered, Log out hidden, Reconnect disabled")
	}
	s.SetState(connected)
	if s.status.Text != connected.Status || s.account.Text != "ana on https://tasks.example.com" {
		t.Errorf("status %q, account %q", s.status.Text, s.account.Text)
	}
	if s.login.Visible() || !s.logout.Visible() || s.reconnect.Disabled() || s.note.Visible() {
		t.Error("logged in: want Log out and Reconnect offered, Log in and the keyring note hidden")
	}

	refused := connected
	refused.Phase, refused.Status = "auth-required", "Log in required"
	refused.KeyringNote = "No keyring: you will log in again after a restart"
	s.SetState(refused)
	if !s.login.Visible() || !s.logout.Visible() {
		t.Error("token refused: want both Log in and Log out offered")
	}
	if !s.note.Visible() || s.note.Text != refused.KeyringNote {
		t.Errorf("keyring note shown %t: %q", s.note.Visible(), s.note.Text)
	}
}

func TestStatusActions(t *testing.T) {
	s, sent := newStatusFixture(t)
	s.SetState(connected)
	test.Tap(s.recent)
	test.Tap(s.reconnect)
	test.Tap(s.pause)
	test.Tap(s.pause)
	test.Tap(s.logout)
	test.Tap(s.quit)
	s.SetState(ipc.State{Phase: "disconnected", Status: "Logged out"})
	test.Tap(s.login)
	want := []ipc.Message{
		ipc.Show{View: ipc.ViewRecent}, ipc.Reconnect{}, ipc.Pause{Paused: true}, ipc.Pause{Paused: false},
		ipc.Logout{}, ipc.Quit{}, ipc.Show{View: ipc.ViewLogin},
	}
	if !slices.Equal(*sent, want) {
		t.Errorf("sent %v\nwant %v", *sent, want)
	}
}

func TestStatusPausedFromAgentSendsNothing(t *testing.T) {
	s, sent := newStatusFixture(t)
	paused := connected
	paused.Paused = true
	s.SetState(paused)
	if !s.pause.Checked {
		t.Error("pause box not ticked for a paused agent")
	}
	s.SetState(connected)
	if s.pause.Checked || len(*sent) != 0 {
		t.Errorf("pause box ticked %t; sent %v, want nothing", s.pause.Checked, *sent)
	}
}

// TestStatusStaysOnScreenWithLongText: the status line names the server, and
// a 2,000-character host name must not push the window off an 800 px screen
// (issue 10, defect 20).
func TestStatusStaysOnScreenWithLongText(t *testing.T) {
	s, _ := newStatusFixture(t)
	long := strings.Repeat("a", 2000)
	st := connected
	st.Server = "https://" + long
	st.Status = "Connected to " + long
	st.KeyringNote = "No keyring: " + long
	s.SetState(st)
	if m := s.MinSize(); m.Height > 600 || m.Width > 800 {
		t.Errorf("the status view needs %v with a 2,000-character server; want at most 800x600", m)
	}
}
