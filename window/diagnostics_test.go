package window

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"tasktray/ipc"
)

func TestDiagnosticsCopiesTheReport(t *testing.T) {
	a := test.NewTempApp(t)
	closed := false
	d := NewDiagnostics(a.Clipboard(), func() { closed = true })
	test.NewTempWindow(t, d)
	if !d.copy.Disabled() {
		t.Error("Copy is offered before there is a report")
	}
	report := "tasktray diagnostics\nDesktop: XFCE\n最近的警告和错误:\n  无\n"
	d.SetReport(ipc.Diagnostics{Text: report})
	if got := a.Clipboard().Content(); got != report {
		t.Fatalf("clipboard = %q, want the report", got)
	}
	if d.report.Text != report || !strings.Contains(d.note.Text, "Copied") {
		t.Errorf("shown %q, note %q", d.report.Text, d.note.Text)
	}
	a.Clipboard().SetContent("something else the user copied")
	test.Tap(d.copy)
	if got := a.Clipboard().Content(); got != report {
		t.Errorf("after Copy the clipboard = %q", got)
	}
	if closed {
		t.Error("closed without Close")
	}
}

func TestDiagnosticsSession(t *testing.T) {
	a := test.NewTempApp(t)
	var sent []ipc.Message
	s, err := NewSession(a, ipc.ViewDiagnostics, func(m ipc.Message) { sent = append(sent, m) })
	if err != nil {
		t.Fatal(err)
	}
	s.Handle(ipc.State{Status: "Connected"})
	s.Handle(ipc.Diagnostics{Text: "report"})
	if got := a.Clipboard().Content(); got != "report" {
		t.Errorf("clipboard = %q", got)
	}
	if s.Window().Title() != titleDiagnostics.String() {
		t.Errorf("title %q", s.Window().Title())
	}
}

// Without a tray the status window is the menu: it offers the diagnostics.
func TestStatusOffersDiagnostics(t *testing.T) {
	s, sent := newStatusFixture(t)
	test.Tap(s.diag)
	if len(*sent) != 1 || (*sent)[0] != (ipc.Show{View: ipc.ViewDiagnostics}) {
		t.Errorf("sent %#v, want a Show of the diagnostics view", *sent)
	}
}
