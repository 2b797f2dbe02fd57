package tray

import (
	"testing"

	"tasktray/i18n"
	"tasktray/ipc"
	"tasktray/notify"
)

// TestSettingsApplyToCoalescerAndLanguage: a save from the settings window
// sets the real coalescer (on/off and threshold) and the language at once,
// and every open window is told the language.
func TestSettingsApplyToCoalescerAndLanguage(t *testing.T) {
	t.Cleanup(func() { i18n.SetLanguage("en") })
	f := newFixture(t)
	c := notify.NewCoalescer(nopNotifier{f.popups}, notify.CoalescerOptions{Disabled: true}) // as -coalesce=false
	t.Cleanup(func() { c.Close() })
	f.cfg.Popups = c
	f.start(t)
	w, st := f.openSettings(t)
	if st.Coalesce {
		t.Fatal("the window says coalescing is on; -coalesce=false turned it off and no file says otherwise")
	}
	v := st.SettingsValues
	v.Coalesce, v.CoalesceAfter, v.Language = true, 7, "zh-CN"
	if res := save(t, w, v); !res.OK {
		t.Fatalf("save: %+v", res)
	}
	if on, max := c.Config(); !on || max != 7 {
		t.Fatalf("coalescer on %t after %d, want on after 7", on, max)
	}
	if got := i18n.Current(); got != i18n.Chinese {
		t.Fatalf("language %v, want zh-CN", got)
	}
	v.Language = "en"
	if err := w.user.Send(ipc.SaveSettings{SettingsValues: v}); err != nil {
		t.Fatal(err)
	}
	w.expect(t, "the language", func(m ipc.Message) bool { l, ok := m.(ipc.Language); return ok && l.Language == "en" })
	if got := i18n.Current(); got != i18n.English {
		t.Fatalf("language %v, want en", got)
	}
}

// nopNotifier makes fakePopups a notify.Notifier.
type nopNotifier struct{ *fakePopups }

func (nopNotifier) Close() error { return nil }
