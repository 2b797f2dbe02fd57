package tray

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tasktray/assets"
	"tasktray/ipc"
	"tasktray/notify"
	"tasktray/server"
	"tasktray/settings"
)

// fakeClock is the time quiet hours and do not disturb run by; tests jump it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// startWithClock starts the agent as fixture.start does, on clock.
func (f *fixture) startWithClock(t *testing.T, clock *fakeClock) {
	t.Helper()
	f.menu.drain() // the views of an agent that stopped
	a, err := NewAgent(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	a.prefs.now = clock.Now
	f.agent = a
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Run(ctx); close(done) }()
	f.stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(wait):
			t.Error("agent did not stop")
		}
	}
	t.Cleanup(f.stop)
}

func today(hh, mm int) time.Time {
	now := time.Now()
	return time.Date(now.Year(), now.Month(), now.Day(), hh, mm, 0, 0, time.Local)
}

// openSettings opens the settings window from the menu and returns it with
// the settings it was sent.
func (f *fixture) openSettings(t *testing.T) (*fakeWindow, ipc.SettingsState) {
	t.Helper()
	f.menu.actions <- ActionSettings
	w := f.window(t)
	if err := w.user.Send(ipc.GetSettings{}); err != nil {
		t.Fatal(err)
	}
	st := w.expect(t, "the settings", func(m ipc.Message) bool { _, ok := m.(ipc.SettingsState); return ok })
	return w, st.(ipc.SettingsState)
}

// save sends the window's settings and waits for the agent's answer.
func save(t *testing.T, w *fakeWindow, v ipc.SettingsValues) ipc.SettingsResult {
	t.Helper()
	if err := w.user.Send(ipc.SaveSettings{SettingsValues: v}); err != nil {
		t.Fatal(err)
	}
	return w.expect(t, "the save's result", func(m ipc.Message) bool { _, ok := m.(ipc.SettingsResult); return ok }).(ipc.SettingsResult)
}

func (p *fakePopups) titles() []string {
	var t []string
	for _, pp := range p.all() {
		t = append(t, pp.Title)
	}
	return t
}

// waitPopup waits for a popup titled title and returns every title so far.
// Popups show in the order of their tasks, so a task published before the
// one awaited that got no popup by then gets none.
func (f *fixture) waitPopup(t *testing.T, title string) []string {
	t.Helper()
	var got []string
	waitFor(t, "a popup "+title, func() bool { got = f.popups.titles(); return slices.Contains(got, title) })
	return got
}

func (f *fixture) publish(t *testing.T, title string, priority int) {
	t.Helper()
	if _, err := f.srv.Publish("alice", server.TaskInput{Title: title, Priority: priority}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) loggedIn(t *testing.T) {
	t.Helper()
	f.login(t, "wonderland").expect(t, "ok", isResult)
	f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected })
}

// TestSettingsFromPriorityThree: after "popups from priority 3" is saved
// in the settings window, a priority-2 task gets no popup but is in Recent
// tasks, a priority-3 one pops up, at once and without a restart; the file
// says so for the next start.
func TestSettingsFromPriorityThree(t *testing.T) {
	f := newFixture(t)
	f.start(t)
	f.loggedIn(t)
	w, st := f.openSettings(t)
	if st.MinPriority != 1 || st.Problem != "" {
		t.Fatalf("first settings %+v: want the defaults", st)
	}
	v := st.SettingsValues
	v.MinPriority = 3
	if res := save(t, w, v); !res.OK {
		t.Fatalf("save: %+v", res)
	}
	f.publish(t, "low", 2)
	f.publish(t, "normal", 3)
	got := f.waitPopup(t, "normal")
	if slices.Contains(got, "low") {
		t.Fatalf("popups %q: the priority-2 task popped up", got)
	}
	f.menu.waitView(t, "both in Recent tasks", func(v View) bool { return v.Unread == 2 })
	s, err := settings.Load(settings.Path(f.cfg.AccountPath), settings.Defaults())
	if err != nil || s.MinPriority != 3 {
		t.Fatalf("settings file: %+v, %v", s, err)
	}
	// A bad value is refused, in words, and changes nothing.
	v.QuietFrom = "25:00"
	if res := save(t, w, v); res.OK || !strings.Contains(res.Error, "25:00") {
		t.Fatalf("bad time saved: %+v", res)
	}
}

// TestQuietHoursHoldPopupsNotRecent: at 23:00 with quiet hours 22:00–07:00
// a task is listed and counted unread but does not pop up, and the menu
// shows quiet; an urgent task breaks through, unless that is turned off;
// at 08:00 popups are back.
func TestQuietHoursHoldPopupsNotRecent(t *testing.T) {
	clock := &fakeClock{now: today(23, 0)}
	f := newFixture(t)
	f.startWithClock(t, clock)
	f.loggedIn(t)
	w, st := f.openSettings(t)
	v := st.SettingsValues
	v.QuietHours, v.QuietFrom, v.QuietUntil = true, "22:00", "07:00"
	if res := save(t, w, v); !res.OK {
		t.Fatalf("save: %+v", res)
	}
	f.menu.waitView(t, "quiet", func(v View) bool { return v.Quiet })
	f.publish(t, "held", 3)
	f.publish(t, "urgent", 5)
	if got := f.waitPopup(t, "urgent"); slices.Contains(got, "held") {
		t.Fatalf("popups %q in quiet hours", got)
	}
	f.menu.waitView(t, "2 unread", func(v View) bool { return v.Unread == 2 && v.Icon == assets.Connected })

	v.UrgentBreaksThrough = false
	if res := save(t, w, v); !res.OK {
		t.Fatalf("save: %+v", res)
	}
	f.publish(t, "urgent held", 5)
	f.menu.waitView(t, "3 unread", func(v View) bool { return v.Unread == 3 })
	clock.Set(today(8, 0))
	f.publish(t, "morning", 3)
	got := f.waitPopup(t, "morning")
	if want := []string{"urgent", "morning"}; !slices.Equal(got, want) {
		t.Fatalf("popups %q, want %q", got, want)
	}
	f.menu.waitView(t, "4 unread", func(v View) bool { return v.Unread == 4 })
}

// TestDoNotDisturbForAnHour: "Do not disturb" from the menu holds popups
// (not Recent tasks) until an hour has passed on the clock, is shown
// checked, and is kept across a restart.
func TestDoNotDisturbForAnHour(t *testing.T) {
	clock := &fakeClock{now: today(12, 0)}
	f := newFixture(t)
	f.startWithClock(t, clock)
	f.loggedIn(t)
	f.menu.actions <- ActionQuiet
	f.menu.waitView(t, "do not disturb", func(v View) bool { return v.Quiet })
	f.publish(t, "during", 3)
	f.publish(t, "urgent during", 5) // breaks through by default
	if got := f.waitPopup(t, "urgent during"); slices.Contains(got, "during") {
		t.Fatalf("popups %q while do not disturb", got)
	}
	path := settings.Path(f.cfg.AccountPath)
	waitFor(t, "do not disturb in the settings file", func() bool {
		s, err := settings.Load(path, settings.Defaults())
		return err == nil && s.DoNotDisturbUntil.Equal(today(13, 0))
	})

	// A restart within the hour: still quiet.
	f.stop()
	clock.Set(today(12, 30))
	f.startWithClock(t, clock)
	f.menu.waitView(t, "do not disturb after a restart", func(v View) bool { return v.Quiet })
	f.loggedIn(t)
	f.publish(t, "still during", 3)
	f.publish(t, "marker", 5)
	if got := f.waitPopup(t, "marker"); slices.Contains(got, "still during") {
		t.Fatalf("popups %q while do not disturb after a restart", got)
	}

	clock.Set(today(13, 0).Add(time.Second))
	f.publish(t, "after", 3)
	f.waitPopup(t, "after")
}

// TestDamagedSettingsFile: a damaged file gives the defaults and a clear
// message, and is not replaced (not even by do not disturb from the menu)
// until the user saves settings in the window, which keeps it beside.
func TestDamagedSettingsFile(t *testing.T) {
	f := newFixture(t)
	path := settings.Path(f.cfg.AccountPath)
	const damaged = "popups_from_priority = = 3\n"
	if err := os.WriteFile(path, []byte(damaged), 0o600); err != nil {
		t.Fatal(err)
	}
	f.start(t)
	var msg notify.Popup
	waitFor(t, "a popup about the damaged file", func() bool {
		for _, p := range f.popups.all() {
			if p.Important && strings.Contains(p.Body, path) && strings.Contains(p.Body, "default") {
				msg = p
				return true
			}
		}
		return false
	})
	f.menu.actions <- ActionQuiet // would save the file, were it not damaged
	f.menu.waitView(t, "do not disturb", func(v View) bool { return v.Quiet })

	w, st := f.openSettings(t)
	if st.Problem != msg.Body || st.MinPriority != 1 || !st.Coalesce {
		t.Fatalf("settings window got %+v: want the defaults and the problem", st)
	}
	if data, _ := os.ReadFile(path); string(data) != damaged {
		t.Fatalf("the damaged file was replaced before a save: %q", data)
	}
	v := st.SettingsValues
	v.MinPriority = 2
	if res := save(t, w, v); !res.OK {
		t.Fatalf("save: %+v", res)
	}
	kept, _ := filepath.Glob(path + ".damaged-*")
	if len(kept) != 1 {
		t.Fatalf("kept files %q, want one", kept)
	}
	if data, _ := os.ReadFile(kept[0]); string(data) != damaged {
		t.Fatalf("the kept file holds %q", data)
	}
	s, err := settings.Load(path, settings.Defaults())
	if err != nil || s.MinPriority != 2 || s.DoNotDisturbUntil.IsZero() {
		t.Fatalf("new file: %+v, %v", s, err)
	}
	if _, st := f.openSettingsAgain(t, w); st.Problem != "" {
		t.Fatalf("problem still shown after the save: %q", st.Problem)
	}
}

// openSettingsAgain asks the open settings window's agent for the settings.
func (f *fixture) openSettingsAgain(t *testing.T, w *fakeWindow) (*fakeWindow, ipc.SettingsState) {
	t.Helper()
	w.user.Send(ipc.GetSettings{})
	return w, w.expect(t, "the settings", func(m ipc.Message) bool { _, ok := m.(ipc.SettingsState); return ok }).(ipc.SettingsState)
}

func TestPopupWanted(t *testing.T) {
	s := settings.Defaults()
	s.MinPriority = 3
	s.QuietHours = true
	noon, night := today(12, 0), today(23, 0)
	for _, tc := range []struct {
		prio   int
		now    time.Time
		urgent bool
		want   bool
	}{
		{2, noon, true, false}, {3, noon, true, true}, {0, noon, true, true}, // 0 means 3
		{4, night, true, false}, {5, night, true, true}, {5, night, false, false},
	} {
		s.UrgentBreaksThrough = tc.urgent
		if got := popupWanted(s, tc.prio, tc.now); got != tc.want {
			t.Errorf("priority %d at %v (urgent breaks through %t): %t, want %t", tc.prio, tc.now.Format("15:04"), tc.urgent, got, tc.want)
		}
	}
}
