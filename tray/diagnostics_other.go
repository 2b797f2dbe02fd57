//go:build !linux

package tray

import (
	"context"
	"runtime"
)

// probeDesktop names the platform's tray, popups and keyring: on Windows
// and macOS each is part of the system and there is nothing to ask.
func probeDesktop(context.Context) desktopFacts {
	switch runtime.GOOS {
	case "windows":
		return desktopFacts{trayHost: "Windows notification area", notify: "Windows toast notifications", keyring: "Windows Credential Manager"}
	case "darwin":
		return desktopFacts{trayHost: "macOS menu bar", notify: "macOS Notification Center", keyring: "macOS Keychain"}
	}
	return desktopFacts{}
}
