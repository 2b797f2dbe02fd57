package tray

import (
	"time"

	"tasktray/backend/custom"
	"tasktray/conn"
	"tasktray/ipc"
)

// windowFlush bounds how often open windows are sent the state and list.
const windowFlush = 200 * time.Millisecond

// render pushes the current view to the menu and to every open window.
func (a *Agent) render() {
	v := View{
		Icon:         iconFor(a.state, a.loggedIn, a.paused),
		Unread:       a.recent.unread,
		Status:       a.status(),
		Paused:       a.paused,
		Quiet:        a.quietNow(), // quiet hours or do not disturb: quiet.go
		StartAtLogin: a.autostart.on,
	}
	if a.loggedIn {
		v.User = a.account.Username
		v.NeedsLogin = a.state.Phase == conn.AuthRequired
	}
	a.cfg.Menu.Render(v)
	if len(a.windows) > 0 {
		a.windowsDirty = true
		if a.flush == nil {
			a.flush = time.After(windowFlush)
		}
	}
}

// flushWindows sends every open window the current state, and Recent tasks
// what changed in the list.
func (a *Agent) flushWindows() {
	if !a.windowsDirty {
		return
	}
	a.windowsDirty = false
	st := a.stateMessage(View{Status: a.status()})
	for view, w := range a.windows {
		a.sendTo(view, st)
		if view == ipc.ViewRecent {
			a.sendRecentChanges(w)
		}
	}
}

// sendRecentChanges sends the Recent tasks window the tasks that came since
// the last message (as many of the newest as a page holds: the window drops
// what it has beyond a gap), the tasks read since, and the counts.
func (a *Agent) sendRecentChanges(w *window) {
	p := a.recent.head(w.sent)
	a.recent.addSeqs(p, w.readSince)
	w.sent, w.readSince = a.recent.newest(), nil
	a.sendTo(ipc.ViewRecent, a.recent.message(p))
}

// status is the menu's first line: what the link does, and what else the
// user should know (the keyring holds up the login, tasks may be missing,
// popups are off).
func (a *Agent) status() string {
	var line string
	switch {
	case !a.loggedIn && a.keyringWait != nil:
		line = a.keyringStatus()
	case !a.loggedIn && a.state.Phase == conn.Disconnected && a.state.Reason != "":
		line = msgCannotConnect.F(a.state.Reason)
	case !a.loggedIn:
		line = msgNotLoggedIn.String()
	default:
		line = statusLine(a.state, a.account.Server, time.Now())
		if a.gap != nil {
			line += " · " + gapText(*a.gap)
		}
		if s := a.keyringStatus(); s != "" {
			line += " · " + s
		}
	}
	if a.cfg.PopupsOff != nil {
		line += " · " + msgPopupsOff.F(a.cfg.PopupsOff.String())
	}
	return line
}

func (a *Agent) stateMessage(v View) ipc.State {
	return ipc.State{
		Phase:        a.state.Phase.String(),
		Status:       v.Status,
		LoggedIn:     a.loggedIn,
		Kind:         a.account.Kind,
		User:         a.account.Username,
		Server:       a.account.Server,
		CAFile:       a.account.CAFile,
		Profile:      a.profile(),
		ProfileError: a.profileError(),
		Paused:       a.paused,
		KeyringNote:  a.cfg.Tokens.Reason(),
	}
}

// profileError words why the system-wide profile cannot be used, in the
// language in use now; "" when it can.
func (a *Agent) profileError() string {
	if a.cfg.ProfileError == nil {
		return ""
	}
	return msgBadSystemProfile.F(a.cfg.ProfileError)
}

// profile is the profile the login window logs in with: the -profile flag,
// then the account's own profile file, then the system-wide one.
func (a *Agent) profile() string {
	if a.cfg.ProfileFixed {
		return a.cfg.Profile
	}
	if a.account.Kind == custom.KindName {
		if path := a.account.Options[custom.OptionProfile]; path != "" {
			return path
		}
		if a.account.Options[custom.OptionProfileText] != "" {
			return "" // built in the window's Advanced fields: shown there
		}
	}
	return a.cfg.Profile
}
