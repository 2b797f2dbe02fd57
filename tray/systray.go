package tray

import (
	"fyne.io/systray"
	"golang.org/x/text/language"

	"tasktray/assets"
	"tasktray/i18n"
)

// Systray is the Menu on the desktop's tray, through fyne.io/systray
// (StatusNotifierItem on Linux). Build it inside systray.Run's onReady.
type Systray struct {
	actions chan Action
	last    View
	drawn   bool
	lang    language.Tag // of the titles on the items
	labels  []label

	status, login, logout, recent, pause, reconnect, quit *systray.MenuItem
	quiet, startAtLogin, settings, diagnostics            *systray.MenuItem
}

// label is an item's fixed title and tooltip, set again when the language
// changes.
type label struct {
	item       *systray.MenuItem
	title, tip *i18n.Text
}

// SetInitialIcon sets the icon and title before systray.Run: with
// fyne.io/systray v1.12.2 an icon set first inside onReady was seen lost
// (a 0x0 IconPixmap and an empty Title; docs/desktop-testing.md).
func SetInitialIcon() {
	systray.SetIcon(trayIcon(assets.Icon(assets.LoginRequired, false)))
	systray.SetTitle("tasktray")
	systray.SetTooltip("tasktray")
}

// clickBuffer is how many clicks on one item wait for forward. systray
// hands a click over with a send that gives up when nobody is receiving
// (fyne.io/systray v1.12: systrayMenuItemSelected's select with default),
// and its ClickedCh is unbuffered: a click that came while forward was
// not parked on the channel (not yet scheduled, or handing the previous
// click on) was dropped. A buffer keeps it.
const clickBuffer = 8

// NewSystray builds the menu, in the order a person reads it. Call it from
// systray's onReady.
func NewSystray() *Systray {
	m := &Systray{actions: make(chan Action, 4), lang: i18n.Current()}
	add := func(title, tip *i18n.Text) *systray.MenuItem {
		item := systray.AddMenuItem(title.String(), tip.String())
		item.ClickedCh = make(chan struct{}, clickBuffer)
		m.labels = append(m.labels, label{item, title, tip})
		return item
	}
	addCheckbox := func(title, tip *i18n.Text) *systray.MenuItem {
		item := systray.AddMenuItemCheckbox(title.String(), tip.String(), false)
		item.ClickedCh = make(chan struct{}, clickBuffer)
		m.labels = append(m.labels, label{item, title, tip})
		return item
	}
	m.status = systray.AddMenuItem(menuStarting.String(), "")
	m.status.Disable()
	systray.AddSeparator()
	m.login = add(menuLogin, menuLoginTip)
	m.logout = add(menuLogout, menuLogoutTip) // titled with the user by Render
	m.recent = add(menuRecent, menuRecentTip) // titled with the unread count by Render
	m.pause = addCheckbox(menuPause, menuPauseTip)
	m.quiet = addCheckbox(menuQuiet, menuQuietTip)
	m.reconnect = add(menuReconnect, menuReconnectTip)
	systray.AddSeparator()
	m.settings = add(menuSettings, menuSettingsTip)
	m.startAtLogin = addCheckbox(menuStartAtLogin, menuStartAtLoginTip)
	m.diagnostics = add(menuDiagnostics, menuDiagnosticsTip)
	systray.AddSeparator()
	m.quit = add(menuQuit, menuQuitTip)
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
// signal to the tray host. After a change of language (i18n.SetLanguage)
// it titles every item again.
func (m *Systray) Render(v View) {
	old, first := m.last, !m.drawn
	m.last, m.drawn = v, true
	if lang := i18n.Current(); lang != m.lang {
		m.lang, first = lang, true
		for _, l := range m.labels {
			l.item.SetTitle(l.title.String())
			l.item.SetTooltip(l.tip.String())
		}
	}
	if first || v.Icon != old.Icon || (v.Unread > 0) != (old.Unread > 0) {
		systray.SetIcon(trayIcon(assets.Icon(v.Icon, v.Unread > 0)))
	}
	if first || v.Status != old.Status {
		m.status.SetTitle(v.Status)
		systray.SetTooltip(menuTooltip.F(v.Status))
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
			m.logout.SetTitle(menuLogoutUser.F(v.User))
			m.logout.Show()
		}
	}
	if first || v.Unread != old.Unread {
		m.recent.SetTitle(recentTitle(v.Unread))
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

// recentTitle is the Recent tasks item's title, with the unread count.
func recentTitle(unread int) string {
	if unread > 0 {
		return menuRecentUnread.F(unread)
	}
	return menuRecent.String()
}

func setChecked(item *systray.MenuItem, on bool) {
	if on {
		item.Check()
	} else {
		item.Uncheck()
	}
}
