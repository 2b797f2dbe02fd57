package ipc

// TypeDiagnostics is the "type" of a Diagnostics message.
const TypeDiagnostics = "diagnostics"

// Diagnostics carries the diagnostics report to the diagnostics window
// (agent to window), which shows it and puts it on the clipboard: the
// agent runs no Fyne and so has no clipboard of its own. The agent sends
// one when the user picks "Copy diagnostics", after the window's State.
//
//	{"type":"diagnostics","text":"tasktray 0.1.0, commit abc, built …\nOS: linux/amd64\n…"}
//
// Text is plain text, a few kilobytes at most; it never holds a token, a
// password or a task's text (tray/diagnostics.go).
type Diagnostics struct {
	Text string `json:"text"`
}

// Type implements Message.
func (Diagnostics) Type() string { return TypeDiagnostics }
func (Diagnostics) isMessage()   {}
