package tray

// trayIcon turns an asset PNG into what the tray takes: ICO on Windows.
func trayIcon(png []byte) []byte {
	ico, err := pngToICO(png)
	if err != nil {
		panic("tray: a bundled icon is not a PNG: " + err.Error()) // assets' tests rule this out
	}
	return ico
}
