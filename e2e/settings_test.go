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
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("app log:\n%s", app.log)
		}
	})
	r.waitIcon("login-required")
	r.logIn("", srv.url(), "alice", "wonderland-e2e")
	r.waitIcon("connected")

	srv.Publish("alice", server.TaskInput{Title: "Low before", Priority: 2})
	if p := r.popups(0, 1)[0]; p.Summary != "Low before" {
		t.Fatalf("popup %q, want the priority-2 task before the change", p.Summary)
	}

	r.openSettings()
	r.xdotool("key", "--delay", "50", "Right", "Right")
	d.screenshot("settings")
	r.xdotool("key", "ctrl+s")
	r.waitSettingsGone() // it closes once the agent has applied and saved

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
	r.openSettings()
	r.xdotool("key", "--delay", "50", "Tab", "space", "Tab", "ctrl+a")
	r.xdotool("type", "--delay", "20", now.Add(-time.Hour).Format("15:04"))
	r.xdotool("key", "--delay", "50", "Tab", "ctrl+a")
	r.xdotool("type", "--delay", "20", now.Add(time.Hour).Format("15:04"))
	r.xdotool("key", "--delay", "50", "Tab")
	d.screenshot("settings-quiet-hours")
	r.xdotool("key", "ctrl+s")
	r.waitSettingsGone()

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

	// Language: 简体中文, the last field (nine Tabs on from the priority),
	// two steps right from "System". The tray menu speaks it at once.
	r.openSettings()
	for range 9 {
		r.xdotool("key", "Tab")
	}
	r.xdotool("key", "--delay", "50", "Right", "Right")
	d.screenshot("settings-language")
	r.xdotool("key", "ctrl+s")
	r.waitSettingsGone()
	r.waitStatus("设置…")
	data, _ = os.ReadFile(filepath.Join(d.home, ".config", "tasktray", "settings.toml"))
	if !strings.Contains(string(data), `language = "zh-CN"`) {
		t.Fatalf("settings file:\n%s", data)
	}

	// "退出" (Quit) is also the start of "退出登录" (Log out): click it by
	// its whole label.
	if err := r.tray.ClickMenu(r.item, "退出"); err != nil {
		t.Fatal(err)
	}
	if err := waitExit(app); err != nil {
		t.Fatalf("quit: %v\n%s", err, app.log)
	}
}

// waitSettingsGone waits for the settings window to close and its process
// to exit: until the agent has seen the exit, "Settings…" raises the old
// window rather than starting a new one.
func (r *run) waitSettingsGone() {
	r.t.Helper()
	r.waitNoWindow("Settings")
	for deadline := time.Now().Add(wait); len(processesOf(r.bin)) > 1; {
		if time.Now().After(deadline) {
			r.t.Fatalf("the settings window's process still runs %v after the window closed", wait)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// openSettings clicks "Settings…" and waits for the window, focused, its
// first field (the priority) holding the keyboard. One click: a click
// lost between the menu and the agent is a defect (two were fixed: clicks
// fyne.io/systray dropped when its item's goroutine was not waiting, and a
// window reopened before the agent had handled its exit).
func (r *run) openSettings() {
	r.t.Helper()
	r.click("Settings")
	wid := r.waitWindow("Settings")
	r.xdotool("windowfocus", "--sync", wid)
	time.Sleep(500 * time.Millisecond) // let Fyne draw and focus the priority, as logIn does
}
