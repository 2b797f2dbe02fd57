// Package tray is the always-on agent: the tray icon and menu
// (fyne.io/systray), the link (conn), the token (auth), popups (notify) and
// the window processes it opens from the menu. It owns all of the app's
// state in one goroutine, Agent.Run; everything else sends it events. Run
// never waits on a peer: the keyring, the account file, popups and a
// server's log-out each run on a goroutine of their own (peer) and answer as
// events, and a window process is fed by ipc's own writer.
//
// Files: agent.go (types, the loop, dispatch), login.go (login, log-out,
// the token), keyring.go (waiting for a locked keyring), link.go (the
// link, its tasks, renewals, gaps and resume), windows.go (window
// processes), render.go (menu, status and windows), recent.go (Recent
// tasks), peers.go and popups.go (calls off the loop), instance*.go and
// control*.go (one agent per user; another start reaches it by its session
// bus name or socket), settings.go and quiet.go (the settings file, quiet
// hours, do not disturb), autostart.go (start at login), diagnostics.go
// (Copy diagnostics), messages.go (what the user reads, in both languages),
// watch_*.go (the platform's signals: session bus, keyring, resume from
// sleep), app.go (wiring to the desktop).
//
// No Fyne driver runs here: Fyne's loop ticks at 60 Hz whenever its app
// runs (docs/benchmarks.md), so windows live in a short-lived child process
// (package window) that talks to the agent over package ipc.
package tray
