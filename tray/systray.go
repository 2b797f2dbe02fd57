package tray

import (
	"fmt"

	"fyne.io/systray"

	"tasktray/assets"
)

// Systray is the Menu on the desktop's tray, through fyne.io/systray
// (StatusNotifierItem on Linux). Build it inside systray.Run's onReady.
type Systray struct {
	actions chan Action
	last    View
	drawn   bool

	status, login, logout, recent, pause, reconnect, quit *systray.MenuItem
	quiet, startAtLogin, settings, diagnostics            *systray.MenuItem
}

// SetInitialIcon sets the icon and title before systray.Run: with
// fyne.io/systray v1.12.2 an icon set first inside onReady was seen lost
// (a 0x0 IconPixmap and an empty Title; docs/desktop-testing.md).
func SetInitialIcon() {
	systray.SetIcon(trayIcon(assets.Icon(assets.LoginRequired, false)))
	systray.SetTitle("tasktray")
	systray.SetTooltip("tasktray")
}

// NewSystray builds the menu, in the order a person reads it. Call it from
// systray's onReady.
func NewSystray() *Systray {
	m := &Systray{actions: make(chan Action, 4)}
	m.status = systray.AddMenuItem("Starting…", "")
	m.status.Disable()
	systray.AddSeparator()
	m.login = systray.AddMenuItem("Log in…", "Log in to your task server")
	m.logout = systray.AddMenuItem("Log out", "Forget the login on this computer")
	m.recent = systray.AddMenuItem("Recent tasks…", "Show the tasks that came in")
	m.pause = systray.AddMenuItemCheckbox("Pause notifications", "Tasks still arrive, without popups", false)
	m.quiet = systray.AddMenuItemCheckbox("Do not disturb for 1 hour", "No popups for an hour; urgent tasks still show", false)
	m.reconnect = systray.AddMenuItem("Reconnect now", "Dial the server now instead of waiting")
	systray.AddSeparator()
	m.settings = systray.AddMenuItem("Settings…", "Popups, quiet hours, language")
	m.startAtLogin = systray.AddMenuItemCheckbox("Start at login", "Start tasktray when you log in", false)
	m.diagnostics = systray.AddMenuItem("Copy diagnostics", "Copy a report to send to your administrator")
	systray.AddSeparator()
	m.quit = systray.AddMenuItem("Quit", "Quit tasktray")
	m.logout.Hide()
	for item, act := range map[*systray.MenuItem]Action{
		m.login: ActionLogin, m.logout: ActionLogout, m.recent: ActionRecent,
		m.pause: ActionPause, m.reconnect: ActionReconnect, m.quit: ActionQuit,
		m.quiet: ActionQuiet, m.startAtLogin: ActionStartAtLogin,
		m.settings: ActionSettings, m.diagnostics: ActionDiagnostics,
	} {
		go m.forward(item, act)
	}
	return m
}

// forward turns one item's clicks into Actions. systray closes no channel,
// so these goroutines end with the process.
func (m *Systray) forward(item *systray.MenuItem, act Action) {
	for range item.ClickedCh {
		m.actions <- act
	}
}

// Actions delivers the user's clicks.
func (m *Systray) Actions() <-chan Action { return m.actions }

// Render shows v, touching only what changed: every change is a D-Bus
// signal to the tray host.
func (m *Systray) Render(v View) {
	old, first := m.last, !m.drawn
	m.last, m.drawn = v, true
	if first || v.Icon != old.Icon || (v.Unread > 0) != (old.Unread > 0) {
		systray.SetIcon(trayIcon(assets.Icon(v.Icon, v.Unread > 0)))
	}
	if first || v.Status != old.Status {
		m.status.SetTitle(v.Status)
		systray.SetTooltip("tasktray: " + v.Status)
	}
	if first || v.User != old.User || v.NeedsLogin != old.NeedsLogin {
		if v.User == "" || v.NeedsLogin {
			m.login.Show()
		} else {
			m.login.Hide()
		}
		if v.User == "" {
			m.logout.Hide()
		} else {
			m.logout.SetTitle("Log out " + v.User)
			m.logout.Show()
		}
	}
	if first || v.Unread != old.Unread {
		title := "Recent tasks…"
		if v.Unread > 0 {
			title = fmt.Sprintf("Recent tasks (%d unread)…", v.Unread)
		}
		m.recent.SetTitle(title)
	}
	if first || v.Paused != old.Paused {
		setChecked(m.pause, v.Paused)
	}
	if first || v.Quiet != old.Quiet {
		setChecked(m.quiet, v.Quiet)
	}
	if first || v.StartAtLogin != old.StartAtLogin {
		setChecked(m.startAtLogin, v.StartAtLogin)
	}
}

func setChecked(item *systray.MenuItem, on bool) {
	if on {
		item.Check()
	} else {
		item.Uncheck()
	}
}
