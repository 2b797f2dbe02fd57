package tray

// toggleQuiet turns "Do not disturb for 1 hour" on or off.
// TODO(settings): not implemented yet; the settings work (issue 14) owns
// this file.
func (a *Agent) toggleQuiet() {
	a.log.Warn("do not disturb is not implemented yet")
}
