package tray

import "tasktray/assets"

// View is everything the tray icon and menu show. The agent renders a new
// View on every change; a Menu shows it.
type View struct {
	Icon   assets.IconState
	Unread int
	// Status is the first, disabled line of the menu.
	Status string
	// User is who is logged in ("alice@tasks.example.com"); "" shows
	// "Log in…" instead of "Log out".
	User string
	// NeedsLogin shows "Log in…" although a user is known: the server
	// refused the token.
	NeedsLogin bool
	Paused     bool
	// Quiet is "Do not disturb for 1 hour" (or quiet hours) in force.
	Quiet bool
	// StartAtLogin shows the "Start at login" item checked.
	StartAtLogin bool
}

// Action is a menu item the user clicked.
type Action int

// The menu's actions, in menu order.
const (
	ActionLogin Action = iota
	ActionLogout
	ActionRecent
	ActionPause // toggles
	ActionReconnect
	ActionQuiet        // toggles "Do not disturb for 1 hour"
	ActionStartAtLogin // toggles
	ActionSettings
	ActionDiagnostics // copy diagnostics
	ActionQuit
)

func (a Action) String() string {
	return [...]string{"login", "logout", "recent", "pause", "reconnect", "quiet", "start-at-login", "settings", "diagnostics", "quit"}[a]
}

// Menu is the tray icon and its menu.
type Menu interface {
	// Render shows v; called from the agent goroutine only.
	Render(v View)
	// Actions delivers the user's clicks.
	Actions() <-chan Action
}
