package autostart

// New is app's value under HKCU\Software\Microsoft\Windows\CurrentVersion
// \Run, which Explorer runs at login, with the mark Task Manager and
// Settings keep under Explorer\StartupApproved\Run.
func New(app App) (Entry, error) { return RunKey(CurrentVersion, app), nil }
