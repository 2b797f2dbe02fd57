package window

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"tasktray/ipc"
)

var defaultSettings = ipc.SettingsState{SettingsValues: ipc.SettingsValues{MinPriority: 1, QuietFrom: "22:00", QuietUntil: "07:00",
	UrgentBreaksThrough: true, Coalesce: true, CoalesceAfter: 4, Sound: true}}

func newSettingsFixture(t *testing.T) (*SettingsSession, *[]ipc.Message) {
	t.Helper()
	a := test.NewTempApp(t)
	var sent []ipc.Message
	s := NewSettingsSession(a, func(m ipc.Message) { sent = append(sent, m) })
	t.Cleanup(func() { s.win.Close() })
	return s, &sent
}

// TestSettingsWindowKeyboard: the window asks for the settings, shows them,
// and as a person using the keyboard only would: two presses of Right on
// the focused priority, then Ctrl+S, sends "from priority 3" with the rest
// unchanged.
func TestSettingsWindowKeyboard(t *testing.T) {
	s, sent := newSettingsFixture(t)
	if len(*sent) != 1 || (*sent)[0] != (ipc.GetSettings{}) {
		t.Fatalf("sent %v, want get_settings first", *sent)
	}
	v := s.View()
	if !v.save.Disabled() {
		t.Error("Save enabled before the settings came")
	}
	v.Save()
	if len(*sent) != 1 {
		t.Fatal("saved before the settings came")
	}
	s.Handle(defaultSettings)
	if v.priority.SelectedIndex() != 0 || v.after.Selected != "4" || !v.urgent.Checked || v.save.Disabled() {
		t.Fatalf("fields not filled: priority %d after %q", v.priority.SelectedIndex(), v.after.Selected)
	}
	if s.win.Canvas().Focused() != v.priority {
		t.Fatal("the priority is not focused")
	}
	v.priority.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	v.priority.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	s.win.Canvas().(interface{ TypedShortcut(fyne.Shortcut) }).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault})
	want := defaultSettings.SettingsValues
	want.MinPriority = 3
	if got := (*sent)[len(*sent)-1]; got != (ipc.SaveSettings{SettingsValues: want}) {
		t.Fatalf("sent %+v\nwant %+v", got, want)
	}
	// A later state (do not disturb from the menu) keeps what is typed.
	later := defaultSettings
	later.DoNotDisturbUntil = time.Date(2026, 3, 1, 13, 0, 0, 0, time.Local)
	s.Handle(later)
	if v.priority.SelectedIndex() != 2 || !v.dnd.Visible() || !strings.Contains(v.dnd.Text, "13:00") {
		t.Errorf("later state: priority %d, dnd %q", v.priority.SelectedIndex(), v.dnd.Text)
	}
	s.Handle(ipc.SettingsResult{Error: "disk full"})
	if v.message.Text != "disk full" || v.save.Disabled() || s.closed {
		t.Errorf("after an error: message %q", v.message.Text)
	}
}

func TestSettingsWindowRefusesBadTimes(t *testing.T) {
	s, sent := newSettingsFixture(t)
	s.Handle(defaultSettings)
	v := s.View()
	test.Type(v.quietFrom, "x") // "22:00x"
	v.Save()
	if len(*sent) != 1 || v.message.Text == "" {
		t.Fatalf("sent %v, message %q: want nothing sent and a message", *sent, v.message.Text)
	}
	v.quietFrom.SetText("7:30")
	v.Save()
	if got := (*sent)[1].(ipc.SaveSettings); got.QuietFrom != "07:30" {
		t.Fatalf("sent quiet_from %q, want 07:30", got.QuietFrom)
	}
}

func TestSettingsWindowShowsProblem(t *testing.T) {
	s, _ := newSettingsFixture(t)
	st := defaultSettings
	st.Problem = "The settings file is damaged"
	st.CoalesceAfter = 37
	s.Handle(st)
	v := s.View()
	if !v.problem.Visible() || v.problem.Text != st.Problem || v.after.Selected != "37" {
		t.Fatalf("problem %t %q, after %q", v.problem.Visible(), v.problem.Text, v.after.Selected)
	}
	s.Handle(ipc.SettingsResult{OK: true})
	if !s.closed {
		t.Error("an OK save did not close the window")
	}
}
