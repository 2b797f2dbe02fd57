// Command trayapp is a minimal fyne.io/systray app for desktoptest's own
// tests. Its menu has an entry of each kind; "Go online" changes the icon
// and title, "Quit" exits.
package main

import (
	"fyne.io/systray"

	"tasktray/assets"
)

func main() {
	// Set before Run: set in onReady, the first icon and title were seen
	// lost (DESKTOP-TESTING.md).
	systray.SetIcon(assets.Icon(assets.Connecting, false))
	systray.SetTitle("trayapp connecting")
	systray.Run(onReady, nil)
}

func onReady() {
	online := systray.AddMenuItem("Go online", "")
	systray.AddMenuItem("Can't touch this", "").Disable()
	systray.AddMenuItemCheckbox("Coalesce popups", "", true)
	systray.AddSeparator()
	more := systray.AddMenuItem("More", "")
	more.AddSubMenuItem("Nested", "")
	quit := systray.AddMenuItem("Quit", "")
	go func() {
		for {
			select {
			case <-online.ClickedCh:
				systray.SetIcon(assets.Icon(assets.Connected, true))
				systray.SetTitle("trayapp connected")
			case <-quit.ClickedCh:
				systray.Quit()
				return
			}
		}
	}()
}
