package window

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tasktray/conn"
	"tasktray/ipc"
)

// Status stands in for the tray menu on desktops without a tray: the status
// line and the menu's actions (Log in or Log out, Recent tasks, Pause
// notifications, Reconnect now, Quit), each sent to the agent as a message.
// Use it from the Fyne goroutine only.
type Status struct {
	widget.BaseWidget

	send      func(ipc.Message)
	status    *widget.Label
	account   *widget.Label
	note      *widget.Label
	login     *widget.Button
	logout    *widget.Button
	recent    *widget.Button
	pause     *widget.Check
	reconnect *widget.Button
	quit      *widget.Button
	diag      *widget.Button // diagnostics.go's window: without a tray, its only way in
	applying  bool           // SetState is moving the pause box: not the user
	content   fyne.CanvasObject
}

// NewStatus returns the view, logged out until the first SetState; it
// reports what the user does to send.
func NewStatus(send func(ipc.Message)) *Status {
	s := &Status{send: send}
	s.ExtendBaseWidget(s)
	s.status = widget.NewLabel(txtStarting.String())
	s.status.TextStyle.Bold = true
	s.status.Wrapping = fyne.TextWrapWord
	s.account = widget.NewLabel("")
	s.account.Truncation = fyne.TextTruncateEllipsis
	s.note = widget.NewLabel("")
	s.note.Importance = widget.WarningImportance
	s.note.Wrapping = fyne.TextWrapWord
	s.login = widget.NewButtonWithIcon(txtLogInButton.String(), theme.LoginIcon(), func() { s.send(ipc.Show{View: ipc.ViewLogin}) })
	s.login.Importance = widget.HighImportance
	s.logout = widget.NewButtonWithIcon(txtLogOut.String(), theme.LogoutIcon(), func() { s.send(ipc.Logout{}) })
	s.recent = widget.NewButtonWithIcon(txtRecentButton.String(), theme.ListIcon(), func() { s.send(ipc.Show{View: ipc.ViewRecent}) })
	s.reconnect = widget.NewButtonWithIcon(txtReconnectNow.String(), theme.ViewRefreshIcon(), func() { s.send(ipc.Reconnect{}) })
	s.pause = widget.NewCheck(txtPauseNotes.String(), func(paused bool) {
		if !s.applying {
			s.send(ipc.Pause{Paused: paused})
		}
	})
	s.quit = widget.NewButtonWithIcon(txtQuit.String(), theme.CancelIcon(), func() { s.send(ipc.Quit{}) })
	s.diag = widget.NewButtonWithIcon(txtDiagButton.String(), theme.ContentCopyIcon(), func() { s.send(ipc.Show{View: ipc.ViewDiagnostics}) })
	hint := widget.NewRichText(&widget.TextSegment{
		Text:  txtNoTrayHint.String(),
		Style: quiet,
	})
	hint.Wrapping = fyne.TextWrapWord

	s.content = container.NewVBox(
		s.status,
		s.account,
		s.note,
		widget.NewSeparator(),
		container.NewGridWithColumns(2, s.recent, s.reconnect),
		s.pause,
		layout.NewSpacer(),
		hint,
		container.NewHBox(s.logout, s.diag, layout.NewSpacer(), s.login, s.quit),
	)
	s.SetState(ipc.State{})
	return s
}

// CreateRenderer is part of fyne.Widget.
func (s *Status) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewPadded(s.content))
}

// SetState shows st and offers the actions that make sense in it.
func (s *Status) SetState(st ipc.State) {
	if st.Status != "" {
		s.status.SetText(clip(st.Status)) // it names the server, which can be any length
	}
	switch {
	case st.User != "" && st.Server != "":
		s.account.SetText(txtUserOnServerFmt.F(st.User, st.Server))
	case st.Server != "":
		s.account.SetText(st.Server)
	default:
		s.account.SetText(txtNoAccount.String())
	}
	s.note.SetText(clip(st.KeyringNote))
	setVisible(s.note, st.KeyringNote != "")
	// A refused token leaves the account logged in but asks for a new login:
	// offer both.
	setVisible(s.login, !st.LoggedIn || st.Phase == conn.AuthRequired.String())
	setVisible(s.logout, st.LoggedIn)
	if st.LoggedIn {
		s.reconnect.Enable()
	} else {
		s.reconnect.Disable()
	}
	s.applying = true
	s.pause.SetChecked(st.Paused)
	s.applying = false
}
