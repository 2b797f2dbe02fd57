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
// priority-3 one does, without a restart. The choice is in the settings
// file beside the account file.
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

	r.click("Quit")
	if err := waitExit(app); err != nil {
		t.Fatalf("quit: %v\n%s", err, app.log)
	}
}
