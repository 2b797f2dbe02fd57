// Package tray is the always-on agent: the tray icon and menu
// (fyne.io/systray), the link (conn), the token (auth), popups (notify) and
// the window processes it opens from the menu. It owns all of the app's
// state in one goroutine, Agent.Run; everything else sends it events.
//
// No Fyne driver runs here: Fyne's loop ticks at 60 Hz whenever its app
// runs (docs/benchmarks.md), so windows live in a short-lived child process
// (package window) that talks to the agent over package ipc.
package tray
