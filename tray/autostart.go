package tray

// toggleStartAtLogin turns "Start at login" on or off.
// TODO(autostart): not implemented yet; the install work (issue 13) owns
// this file.
func (a *Agent) toggleStartAtLogin() {
	a.log.Warn("start at login is not implemented yet")
}

// startAtLoginAfterFirstLogin turns start at login on after the first
// successful login, unless the user turned it off before.
func (a *Agent) startAtLoginAfterFirstLogin() {}
