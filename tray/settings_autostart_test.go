package tray

import (
	"testing"

	"tasktray/autostart"
)

// TestSettingsWindowStartAtLogin: the settings window shows whether
// tasktray starts at login, and saving it changes the entry (through
// setStartAtLogin, as the menu does); a save that leaves it alone does not
// touch the entry.
func TestSettingsWindowStartAtLogin(t *testing.T) {
	f := newAutostartFixture(t)
	f.start(t)
	f.expectCalls(t, "status:absent") // the read at start
	w, st := f.openSettings(t)
	if st.StartAtLogin {
		t.Fatal("the window says tasktray starts at login; it does not")
	}
	v := st.SettingsValues
	v.StartAtLogin = true
	if res := save(t, w, v); !res.OK {
		t.Fatalf("save: %+v", res)
	}
	f.expectCalls(t, "enable", "status:on")
	f.menu.waitView(t, "start at login checked", func(v View) bool { return v.StartAtLogin })
	if _, st := f.openSettingsAgain(t, w); !st.StartAtLogin {
		t.Fatal("the window does not show start at login after turning it on")
	}
	v.MinPriority = 2 // start at login left as it is
	if res := save(t, w, v); !res.OK {
		t.Fatalf("save: %+v", res)
	}
	f.stopAndExpectCalls(t)
	if got := f.state(t); got != autostart.On {
		t.Fatalf("entry %v, want on", got)
	}
}
