// Package autostart makes an app start when the user logs in to the
// desktop, and says whether it will: an XDG autostart entry on Linux and
// other free desktops ($XDG_CONFIG_HOME/autostart/<app ID>.desktop), a
// LaunchAgent on macOS (~/Library/LaunchAgents/<app ID>.plist), and a value
// under HKCU\Software\Microsoft\Windows\CurrentVersion\Run on Windows.
//
// An entry has one of four states (State). The one that matters most is
// Off: an entry that is there but turned off, by this package's Disable or
// by the desktop's own settings (Hidden=true or
// X-GNOME-Autostart-enabled=false in the .desktop file, Disabled in the
// plist, a "disabled" mark that Task Manager and Settings write under
// Explorer\StartupApproved\Run). Off is a choice the user made; an app
// should show it and never turn it back on by itself. Absent means no
// choice was made yet.
//
// Files are written whole to a temporary file in the same directory and
// renamed over the old one, so a crash leaves the old entry or the new one,
// never half of one. Every call does blocking I/O: callers with a UI loop
// run them elsewhere.
//
// The package neither decides when to turn start at login on (the tray
// agent does) nor watches the entry for changes.
package autostart
