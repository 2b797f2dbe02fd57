package notify

import (
	"strings"

	"tasktray/internal/textcut"
)

// Byte caps on a popup's text. Daemons show a few lines at most, a task's
// text comes from a server, and a megabyte body costs the bus, the daemon
// and its history for nothing. Bytes, not characters, since that is what
// D-Bus and the daemon's memory pay; 256 bytes are 85 CJK characters.
const (
	maxTitleBytes = 256
	maxBodyBytes  = 1024
)

// ellipsis ends text that was cut.
const ellipsis = "…"

// clipPopup bounds p's title and body for the desktop.
func clipPopup(p Popup) Popup {
	p.Title = clip(p.Title, maxTitleBytes)
	p.Body = clip(p.Body, maxBodyBytes)
	return p
}

// clip returns s as valid UTF-8 without NUL (D-Bus strings can carry
// neither; godbus refuses to send them), cut to at most max bytes, never
// inside a character (textcut.Bytes: an emoji sequence, a jamo syllable, an
// accented letter stay whole), ending in an ellipsis when cut and there is
// room for one.
func clip(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	if len(s) <= max {
		return s
	}
	end := ellipsis
	cut := max - len(end)
	if cut < 0 {
		end, cut = "", max
	}
	return textcut.Bytes(s, cut) + end
}
