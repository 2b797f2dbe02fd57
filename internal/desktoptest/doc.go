// Package desktoptest observes a real desktop session from tests: it starts
// a private D-Bus session bus and takes the places of the desktop's
// notification daemon (NotificationRecorder) and tray host (Watcher), so a
// test can see every popup an app sends and read and click its tray icon and
// menu the way a panel does.
//
// The app under test talks to these over the bus exactly as it would to
// dunst, GNOME Shell or a KDE panel; nothing in the app is mocked. An app
// built on fyne.io/systray should run as a separate process, not inside the
// test binary: that library has data races of its own, which -race reports.
//
// desktoptest needs dbus-daemon; StartSessionBus skips the test without it.
package desktoptest
