//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tasktray/server"
)

// TestSettingsWindowChangesPopupsAtOnce: a priority-2 task pops up; the
// user opens Settings… from the tray menu and, with the keyboard as a
// person would, sets "Popups from priority" to 3 and saves (Ctrl+S); the
// next priority-2 task gets no popup (it is still counted unread) while a
// priority-3 one does, without a restart. Then quiet hours around now: a
// task is held (listed, no popup), an urgent one breaks through. The
// choices are in the settings file beside the account file.
func TestSettingsWindowChangesPopupsAtOnce(t *testing.T) {
	bin := buildApp(t)
	d := startDesktop(t, fullDesktop)
	srv := startServer(t)

	app := d.startApp(bin, "-coalesce=false")
	item, err := d.tray.WaitItem(wait)
	if err != nil {
		t.Fatalf("%v\napp log:\n%s", err, app.log)
	}
	r := &run{desktop: d, t: t, bin: bin, item: item}
	r.waitIcon("login-required")
	r.logIn("", srv.url(), "alice", "wonderland-e2e")
	r.waitIcon("connected")

	srv.Publish("alice", server.TaskInput{Title: "Low before", Priority: 2})
	if p := r.popups(0, 1)[0]; p.Summary != "Low before" {
		t.Fatalf("popup %q, want the priority-2 task before the change", p.Summary)
	}

	r.click("Settings")
	wid := d.waitWindow("Settings")
	r.xdotool("windowfocus", "--sync", wid)
	time.Sleep(500 * time.Millisecond) // let Fyne draw and focus the priority, as logIn does
	r.xdotool("key", "--delay", "50", "Right", "Right")
	d.screenshot("settings")
	r.xdotool("key", "ctrl+s")
	d.waitNoWindow("Settings") // it closes once the agent has applied and saved

	srv.Publish("alice", server.TaskInput{Title: "Low after", Priority: 2})
	srv.Publish("alice", server.TaskInput{Title: "Normal after", Priority: 3})
	// Popups come in the order of their tasks: once the priority-3 one is
	// shown, a popup for the priority-2 one would have come first.
	got := r.popups(1, 2)
	if got[0].Summary != "Normal after" {
		t.Fatalf("popup %q after the change, want only \"Normal after\"", got[0].Summary)
	}
	r.waitIcon("connected+unread")

	data, err := os.ReadFile(filepath.Join(d.home, ".config", "tasktray", "settings.toml"))
	if err != nil || !strings.Contains(string(data), "popups_from_priority = 3") {
		t.Fatalf("settings file (%v):\n%s", err, data)
	}

	// Quiet hours around now, set in the window with the keyboard: Tab to
	// the quiet hours box, tick it, Tab to "from" and "until" and type the
	// times, Tab on (an entry keeps Ctrl+S to itself), Ctrl+S. A task then
	// gets no popup but is counted in Recent tasks; an urgent one breaks
	// through.
	now := time.Now()
	r.click("Settings")
	wid = d.waitWindow("Settings")
	r.xdotool("windowfocus", "--sync", wid)
	time.Sleep(500 * time.Millisecond)
	r.xdotool("key", "--delay", "50", "Tab", "space", "Tab", "ctrl+a")
	r.xdotool("type", "--delay", "20", now.Add(-time.Hour).Format("15:04"))
	r.xdotool("key", "--delay", "50", "Tab", "ctrl+a")
	r.xdotool("type", "--delay", "20", now.Add(time.Hour).Format("15:04"))
	r.xdotool("key", "--delay", "50", "Tab")
	d.screenshot("settings-quiet-hours")
	r.xdotool("key", "ctrl+s")
	d.waitNoWindow("Settings")

	srv.Publish("alice", server.TaskInput{Title: "Held in quiet hours", Priority: 3})
	srv.Publish("alice", server.TaskInput{Title: "Urgent in quiet hours", Priority: 5})
	if p := r.popups(2, 3)[0]; p.Summary != "Urgent in quiet hours" {
		t.Fatalf("popup %q in quiet hours, want only the urgent task", p.Summary)
	}
	r.waitStatus("Recent tasks (5 unread)") // all five tasks are listed
	data, _ = os.ReadFile(filepath.Join(d.home, ".config", "tasktray", "settings.toml"))
	if !strings.Contains(string(data), "quiet_hours = true") {
		t.Fatalf("settings file:\n%s", data)
	}

	r.click("Quit")
	if err := waitExit(app); err != nil {
		t.Fatalf("quit: %v\n%s", err, app.log)
	}
}
