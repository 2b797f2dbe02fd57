package tray

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tasktray/assets"
	"tasktray/auth"
	"tasktray/autostart"
	"tasktray/internal/binpath"
	"tasktray/ipc"
)

// Every other test of this package logs in, which turns start at login on:
// they get an entry in memory, never the user's real autostart directory.
// The tests below use real files in a temporary XDG directory.
func init() {
	newStartAtLoginEntry = func() (autostart.Entry, error) { return memEntry, nil }
}

var memEntry = &memoryEntry{}

type memoryEntry struct {
	mu sync.Mutex
	st autostart.State
}

func (m *memoryEntry) Status() (autostart.State, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.st, nil
}
func (m *memoryEntry) Enable() error  { m.set(autostart.On); return nil }
func (m *memoryEntry) Disable() error { m.set(autostart.Off); return nil }
func (m *memoryEntry) String() string { return "memory" }
func (m *memoryEntry) set(st autostart.State) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.st = st
}

// observedEntry is a real XDG entry that reports each call, so a test can
// wait for the agent's disk work to be done instead of sleeping.
type observedEntry struct {
	autostart.Entry
	calls chan string
}

func (o observedEntry) Status() (autostart.State, error) {
	st, err := o.Entry.Status()
	o.calls <- "status:" + st.String()
	return st, err
}
func (o observedEntry) Enable() error  { o.calls <- "enable"; return o.Entry.Enable() }
func (o observedEntry) Disable() error { o.calls <- "disable"; return o.Entry.Disable() }

// autostartFixture is the agent fixture with the entry in dir/autostart.
type autostartFixture struct {
	*fixture
	dir, path string
	calls     chan string
}

func newAutostartFixture(t *testing.T) *autostartFixture {
	t.Helper()
	return newAutostartFixtureCalls(t, make(chan string, 100))
}

// newAutostartFixtureCalls reports the entry's calls on calls; an
// unbuffered one holds the disk peer in each call until the test reads it.
func newAutostartFixtureCalls(t *testing.T, calls chan string) *autostartFixture {
	t.Helper()
	f := &autostartFixture{fixture: newFixture(t), dir: filepath.Join(t.TempDir(), "autostart"), calls: calls}
	f.path = filepath.Join(f.dir, appID+".desktop")
	entry := observedEntry{autostart.XDG(f.dir, autostart.App{ID: appID, Name: "tasktray", Command: "/usr/bin/tasktray"}), f.calls}
	old := newStartAtLoginEntry
	newStartAtLoginEntry = func() (autostart.Entry, error) { return entry, nil }
	t.Cleanup(func() { newStartAtLoginEntry = old }) // after the agent stops: cleanups run last first
	return f
}

// expectCalls waits for the entry calls the agent makes next, in order.
func (f *autostartFixture) expectCalls(t *testing.T, want ...string) {
	t.Helper()
	for i, w := range want {
		select {
		case got := <-f.calls:
			if got != w {
				t.Fatalf("entry call %d: %s, want %s (all: %v)", i, got, w, want)
			}
		case <-time.After(wait):
			t.Fatalf("entry call %d never came, want %s (all: %v)", i, w, want)
		}
	}
}

// stopAndExpectCalls stops the agent, which makes every disk call still
// queued (the disk peer drains), then checks that the entry calls left are
// exactly want: what did not happen is checked without waiting.
func (f *autostartFixture) stopAndExpectCalls(t *testing.T, want ...string) {
	t.Helper()
	f.stop()
	var got []string
	for len(f.calls) > 0 {
		got = append(got, <-f.calls)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("entry calls %v, want %v", got, want)
	}
}

// relogin logs in again through the login window the first login opened:
// the fake window stays open after the agent asks it to close.
func (f *autostartFixture) relogin(t *testing.T, w *fakeWindow) {
	t.Helper()
	if err := w.user.Send(ipc.Login{Kind: "native", Server: f.url, Username: "alice", Password: "wonderland"}); err != nil {
		t.Fatal(err)
	}
	w.expect(t, "ok", isResult)
}

func (f *autostartFixture) state(t *testing.T) autostart.State {
	t.Helper()
	st, _ := autostart.XDG(f.dir, autostart.App{ID: appID}).Status()
	return st
}

func (f *autostartFixture) write(t *testing.T, text string) {
	t.Helper()
	os.MkdirAll(f.dir, 0o755)
	if err := os.WriteFile(f.path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestStartAtLoginOnAfterFirstLogin(t *testing.T) {
	f := newAutostartFixture(t)
	f.start(t)
	f.expectCalls(t, "status:absent") // the read at start
	if f.state(t) != autostart.Absent {
		t.Fatal("an entry before any login")
	}
	f.login(t, "wonderland").expect(t, "ok", isResult)
	f.menu.waitView(t, "start at login checked", func(v View) bool { return v.StartAtLogin && v.User == "alice" })
	f.expectCalls(t, "status:absent", "enable", "status:on")
	if f.state(t) != autostart.On {
		t.Fatalf("after the first login the entry is %v", f.state(t))
	}
	data, _ := os.ReadFile(f.path)
	if !strings.Contains(string(data), "\nExec=/usr/bin/tasktray\n") {
		t.Fatalf("the entry does not start tasktray:\n%s", data)
	}

	// A new agent (the next login to the desktop) shows it checked from
	// the entry alone.
	f.stop()
	f.start(t)
	f.expectCalls(t, "status:on")
	f.menu.waitView(t, "start at login checked after a restart", func(v View) bool { return v.StartAtLogin })
}

func TestStartAtLoginOffChoiceSurvivesANewLogin(t *testing.T) {
	f := newAutostartFixture(t)
	f.start(t)
	w := f.login(t, "wonderland")
	w.expect(t, "ok", isResult)
	f.menu.waitView(t, "start at login checked", func(v View) bool { return v.StartAtLogin })
	f.expectCalls(t, "status:absent", "status:absent", "enable", "status:on")

	f.menu.actions <- ActionStartAtLogin
	f.menu.waitView(t, "start at login unchecked", func(v View) bool { return !v.StartAtLogin })
	f.expectCalls(t, "disable", "status:off")
	if f.state(t) != autostart.Off {
		t.Fatalf("after turning it off the entry is %v", f.state(t))
	}

	f.menu.actions <- ActionLogout
	f.menu.waitView(t, "logged out", func(v View) bool { return v.User == "" })
	f.relogin(t, w)
	f.menu.waitView(t, "logged in again", func(v View) bool { return v.User == "alice" && v.Icon == assets.Connected })
	// The user turns it on again: that works. The second login only read
	// the entry, before (the disk does one thing at a time, in order).
	f.menu.actions <- ActionStartAtLogin
	f.menu.waitView(t, "start at login checked", func(v View) bool { return v.StartAtLogin })
	f.stopAndExpectCalls(t, "status:off", "enable", "status:on")
}

// The desktop's settings turned tasktray off (Hidden=true) before the
// first login: the login must leave it off, and the menu show it off.
func TestStartAtLoginRespectsTheDesktopsHidden(t *testing.T) {
	f := newAutostartFixture(t)
	const hidden = "[Desktop Entry]\nType=Application\nName=tasktray\nExec=/usr/bin/tasktray\nHidden=true\n"
	f.write(t, hidden)
	f.start(t)
	f.expectCalls(t, "status:off")
	f.login(t, "wonderland").expect(t, "ok", isResult)
	f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected && !v.StartAtLogin })
	f.stopAndExpectCalls(t, "status:off", "status:off") // the first login's check, then the read
	if data, _ := os.ReadFile(f.path); string(data) != hidden {
		t.Fatalf("the desktop's entry was rewritten:\n%s", data)
	}

	// The desktop's GNOME key counts the same.
	f.write(t, "[Desktop Entry]\nType=Application\nName=tasktray\nExec=/usr/bin/tasktray\nX-GNOME-Autostart-enabled=false\n")
	f.start(t)
	f.expectCalls(t, "status:off")
}

// A desktop whose settings delete the entry leaves no Off behind; the
// agent remembers that the first login's default was applied.
func TestStartAtLoginDeletedByTheDesktopStaysOff(t *testing.T) {
	f := newAutostartFixture(t)
	f.start(t)
	w := f.login(t, "wonderland")
	w.expect(t, "ok", isResult)
	f.expectCalls(t, "status:absent", "status:absent", "enable", "status:on")
	if err := os.Remove(f.path); err != nil {
		t.Fatal(err)
	}
	f.menu.actions <- ActionLogout
	f.menu.waitView(t, "logged out", func(v View) bool { return v.User == "" })
	f.relogin(t, w)
	f.menu.waitView(t, "logged in again", func(v View) bool { return v.User == "alice" })
	f.stopAndExpectCalls(t, "status:absent")
	if f.state(t) != autostart.Absent {
		t.Fatalf("a new login put the entry back: %v", f.state(t))
	}
}

func TestStartAtLoginDamagedEntry(t *testing.T) {
	f := newAutostartFixture(t)
	f.write(t, "\x00\x00\x00 truncated by a crash")
	f.start(t)
	f.expectCalls(t, "status:damaged")
	f.menu.waitView(t, "unchecked", func(v View) bool { return !v.StartAtLogin })
	// Not a choice anyone made: the first login replaces it.
	f.login(t, "wonderland").expect(t, "ok", isResult)
	f.expectCalls(t, "status:damaged", "enable", "status:on")
	f.menu.waitView(t, "checked", func(v View) bool { return v.StartAtLogin })
}

// A write that fails says why in a popup, and the menu goes back to what
// the entry says.
func TestStartAtLoginWriteFails(t *testing.T) {
	f := newAutostartFixture(t)
	os.WriteFile(f.dir, nil, 0o644) // a file where the directory should be
	f.start(t)
	f.expectCalls(t, "status:absent")
	f.menu.actions <- ActionStartAtLogin
	f.menu.waitView(t, "checked at once", func(v View) bool { return v.StartAtLogin })
	f.expectCalls(t, "enable", "status:absent")
	f.menu.waitView(t, "unchecked again", func(v View) bool { return !v.StartAtLogin })
	p := f.popups.wait(t, 1)[0]
	if p.Title != "tasktray cannot start at login" || !strings.Contains(p.Body, f.path) || !p.Important {
		t.Fatalf("popup %+v: want why, naming %s", p, f.path)
	}
}

// Demo mode logs in at start; a trial run must not add itself to login.
func TestStartAtLoginNotInDemoMode(t *testing.T) {
	f := newAutostartFixture(t)
	f.cfg.Login = &Login{Account: auth.Account{Kind: "native", Server: f.url, Username: "alice"}, Password: "wonderland"}
	f.start(t)
	f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected })
	f.stopAndExpectCalls(t, "status:absent") // the read at start, nothing after the login
	if f.state(t) != autostart.Absent {
		t.Fatalf("demo mode wrote an entry: %v", f.state(t))
	}
}

// Two quick clicks: the answer to the first must not flip the menu back
// after the second click.
func TestStartAtLoginQuickClicksShowTheLast(t *testing.T) {
	f := newAutostartFixtureCalls(t, make(chan string))
	f.start(t)
	f.expectCalls(t, "status:absent")
	f.menu.actions <- ActionStartAtLogin // the disk peer now waits in Enable
	f.menu.actions <- ActionStartAtLogin // taken by the loop before the first answer
	f.expectCalls(t, "enable", "status:on", "disable", "status:off")
	f.stop()
	var views []bool
	for len(f.menu.views) > 0 {
		views = append(views, (<-f.menu.views).StartAtLogin)
	}
	// views: off at start, on at the first click, off at the second; then
	// nothing may show it on.
	turnedOff := -1
	for i := 1; i < len(views) && turnedOff < 0; i++ {
		if views[i-1] && !views[i] {
			turnedOff = i
		}
	}
	if turnedOff < 0 || slices.Contains(views[turnedOff:], true) {
		t.Fatalf("the menu showed start at login %v; want off, on, then off to the end", views)
	}
	if len(views) == 0 || views[len(views)-1] || f.state(t) != autostart.Off {
		t.Fatalf("views %v, entry %v; want it off", views, f.state(t))
	}
}

// The entry starts the tasktray binary the user starts, also when the
// agent runs as tasktray-agent, which tasktray tells through
// TASKTRAY_WINDOW_BIN.
func TestStartAtLoginStartsTheTasktrayBinary(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("the XDG entry is checked on Linux; autostart's own tests cover the others")
	}
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	t.Setenv(binpath.WindowEnv, "/usr/bin/tasktray")
	e, err := defaultStartAtLoginEntry()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(config, "autostart", appID+".desktop")
	if e.String() != path {
		t.Fatalf("entry at %s, want %s", e, path)
	}
	if err := e.Enable(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "\nExec=/usr/bin/tasktray\n") {
		t.Fatalf("the entry does not start /usr/bin/tasktray with no flags:\n%s", data)
	}
}
