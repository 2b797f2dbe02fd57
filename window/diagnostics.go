package window

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tasktray/i18n"
	"tasktray/ipc"
)

// The diagnostics window's words.
var (
	titleDiagnostics = i18n.New("window.diag.title", "Diagnostics – tasktray", "诊断信息 – tasktray")
	txtDiagIntro     = i18n.New("window.diag.intro", "This report holds no password, token or task text. Paste it into your message to support.", "此报告不含密码、令牌或任务内容。请将其粘贴到发给技术支持的消息中。")
	txtDiagGathering = i18n.New("window.diag.gathering", "Gathering diagnostics…", "正在收集诊断信息…")
	txtDiagCopy      = i18n.New("window.diag.copy", "Copy", "复制")
	txtDiagCopied    = i18n.New("window.diag.copied", "Copied to the clipboard. Keep this window open until you have pasted it: on some desktops the clipboard empties when it closes.", "已复制到剪贴板。粘贴完成前请保持此窗口打开：在某些桌面上，窗口关闭后剪贴板会被清空。")
	txtDiagClose     = i18n.New("window.diag.close", "Close", "关闭")
	// txtDiagButton opens this window from the status window (no tray).
	txtDiagButton = i18n.New("window.diag.button", "Copy diagnostics", "复制诊断信息")
)

// diagnosticsSize is the size the diagnostics window opens at: wide enough
// for a log line's start.
var diagnosticsSize = fyne.NewSize(640, 480)

// Diagnostics shows the agent's diagnostics report and puts it on the
// clipboard: the agent has no clipboard (it runs no Fyne), so "Copy
// diagnostics" in the tray menu opens this window, which copies the report
// as soon as it arrives and again on Copy. Use it from the Fyne goroutine
// only.
type Diagnostics struct {
	widget.BaseWidget

	clipboard fyne.Clipboard
	close     func()
	text      string
	report    *widget.Label
	note      *widget.Label
	copy      *widget.Button
	content   fyne.CanvasObject
}

// NewDiagnostics returns the view, waiting for its report; Copy puts the
// report on clipboard, Close calls close.
func NewDiagnostics(clipboard fyne.Clipboard, close func()) *Diagnostics {
	d := &Diagnostics{clipboard: clipboard, close: close}
	d.ExtendBaseWidget(d)
	// Not monospace: Fyne's monospace face has no CJK glyphs, and the
	// fallback font's taller lines overlapped in the zh-CN screenshot.
	d.report = widget.NewLabel(txtDiagGathering.String())
	d.report.Selectable = true
	intro := widget.NewLabel(txtDiagIntro.String())
	intro.Wrapping = fyne.TextWrapWord
	d.note = widget.NewLabel("")
	d.note.Wrapping = fyne.TextWrapWord
	d.copy = widget.NewButtonWithIcon(txtDiagCopy.String(), theme.ContentCopyIcon(), d.copyReport)
	d.copy.Importance = widget.HighImportance
	d.copy.Disable()
	closeButton := widget.NewButton(txtDiagClose.String(), func() { d.close() })
	d.content = container.NewBorder(
		intro,
		container.NewVBox(d.note, container.NewHBox(layout.NewSpacer(), d.copy, closeButton)),
		nil, nil,
		container.NewScroll(d.report),
	)
	return d
}

// CreateRenderer is part of fyne.Widget.
func (d *Diagnostics) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewPadded(d.content))
}

// SetReport shows the report and copies it to the clipboard.
func (d *Diagnostics) SetReport(m ipc.Diagnostics) {
	d.text = m.Text
	d.report.SetText(m.Text)
	d.copy.Enable()
	d.copyReport()
}

func (d *Diagnostics) copyReport() {
	if d.text == "" {
		return
	}
	d.clipboard.SetContent(d.text)
	d.note.SetText(txtDiagCopied.String())
}
