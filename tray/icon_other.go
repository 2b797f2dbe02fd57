//go:build !windows

package tray

// trayIcon turns an asset PNG into what the tray takes: the PNG itself.
func trayIcon(png []byte) []byte { return png }
