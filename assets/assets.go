// Package assets holds tasktray's icons as PNG files: one tray icon per
// connection state, each also with an unread badge, and the application icon.
// The files are drawn by ./gen and committed; change the drawing there and
// run `go generate ./assets`, never edit a PNG by hand.
//
// assets only serves bytes; choosing which icon to show is the tray's job.
package assets

import (
	"embed"
	"fmt"
)

//go:generate go run ./gen -dir . -sheet ../docs/screenshots/icons.png

// IconState is a connection state as the tray icon shows it.
type IconState int

// The tray icon states. Each has its own shape, so they can be told apart
// at 16 px without colour.
const (
	Connected     IconState = iota // filled circle with a check mark
	Connecting                     // open ring with an arrowhead; also used while reconnecting
	Offline                        // ring with a slash
	LoginRequired                  // key
	Paused                         // two bars
)

// States lists every IconState in order.
var States = []IconState{Connected, Connecting, Offline, LoginRequired, Paused}

// String returns the state's name, which is also its file name in icons/.
func (s IconState) String() string {
	switch s {
	case Connected:
		return "connected"
	case Connecting:
		return "connecting"
	case Offline:
		return "offline"
	case LoginRequired:
		return "login-required"
	case Paused:
		return "paused"
	}
	return fmt.Sprintf("IconState(%d)", int(s))
}

//go:embed icon.png icons/*.png
var files embed.FS

// AppIcon is the 256x256 application icon, for windows, popups and packages.
var AppIcon = mustRead("icon.png")

// trayIcons is indexed by IconState, then by unread.
var trayIcons = func() (icons [][2][]byte) {
	for _, s := range States {
		icons = append(icons, [2][]byte{
			mustRead("icons/" + s.String() + ".png"),
			mustRead("icons/" + s.String() + "-unread.png"),
		})
	}
	return icons
}()

// Icon returns the 32x32 PNG tray icon for state s; unread adds a badge dot
// in the top right corner. An unknown state gets the Offline icon, the one
// that promises nothing. The bytes are shared: do not modify them.
func Icon(s IconState, unread bool) []byte {
	if s < 0 || int(s) >= len(trayIcons) {
		s = Offline
	}
	if unread {
		return trayIcons[s][1]
	}
	return trayIcons[s][0]
}

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(err) // a state without its file; TestIcons catches it before a build ships
	}
	return b
}
