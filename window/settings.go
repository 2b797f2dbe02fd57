package window

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"tasktray/i18n"
	"tasktray/ipc"
	"tasktray/settings"
)

// The settings window's words.
var (
	titleSettings        = i18n.New("window.title.settings", "Settings – tasktray", "设置 – tasktray")
	txtPopupsFrom        = i18n.New("window.settings.popups_from", "Popups from priority", "弹出通知的最低优先级")
	txtPriorityAll       = i18n.New("window.settings.priority_all", "1 – every task", "1 – 所有任务")
	txtPriorityUrgent    = i18n.New("window.settings.priority_urgent", "5 – urgent only", "5 – 仅紧急任务")
	txtPopupsFromHint    = i18n.New("window.settings.popups_from_hint", "Lower priorities are still listed in Recent tasks.", "较低优先级的任务仍会列在“最近任务”中。")
	txtQuietHours        = i18n.New("window.settings.quiet_hours", "Quiet hours every day", "每天的免打扰时段")
	txtQuietFrom         = i18n.New("window.settings.quiet_from", "from", "从")
	txtQuietUntil        = i18n.New("window.settings.quiet_until", "until", "到")
	txtUrgentBreaks      = i18n.New("window.settings.urgent_breaks", "Urgent tasks (priority 5) pop up in quiet hours and do not disturb", "紧急任务（优先级 5）在免打扰期间仍然弹出")
	txtCoalesce          = i18n.New("window.settings.coalesce", "Fold a burst of tasks into one summary, after", "将一连串任务合并为一条摘要，在显示以下数量之后：")
	txtCoalescePopups    = i18n.New("window.settings.coalesce_popups", "popups", "条通知")
	txtSound             = i18n.New("window.settings.sound", "Play a sound (where the notification service can)", "播放提示音（如果通知服务支持）")
	txtStartAtLogin      = i18n.New("window.settings.start_at_login", "Start at login", "登录时启动")
	txtLanguage          = i18n.New("window.settings.language", "Language", "语言")
	txtLanguageSystem    = i18n.New("window.settings.language_system", "System", "跟随系统")
	txtDoNotDisturbUntil = i18n.New("window.settings.dnd_until", "Do not disturb until %s (from the tray menu)", "免打扰至 %s（在托盘菜单中设置）")
	txtSave              = i18n.New("window.settings.save", "Save", "保存")
	txtCancel            = i18n.New("window.settings.cancel", "Cancel", "取消")
	txtBadQuietTime      = i18n.New("window.settings.bad_time", "Enter quiet hours as times of day, such as 22:00 and 07:00.", "请以时刻输入免打扰时段，例如 22:00 和 07:00。")
	txtSettingsLoading   = i18n.New("window.settings.loading", "Loading…", "正在加载…")
)

// Language names as the menu shows them: each in its own language.
var languageNames = map[string]fmt.Stringer{"": txtLanguageSystem, "en": same("English"), "zh-CN": same("简体中文")}

// coalesceChoices are the thresholds the menu offers; a file's other value
// is added.
var coalesceChoices = []int{1, 2, 3, 4, 5, 6, 8, 10, 15, 20}

// SettingsView edits the settings the agent sends (ipc.SettingsState) and
// sends them back with Save (ipc.SaveSettings). Use it from the Fyne
// goroutine only.
type SettingsView struct {
	widget.BaseWidget

	send       func(ipc.Message)
	problem    *widget.Label
	dnd        *widget.Label
	priority   *widget.Select
	quiet      *widget.Check
	quietFrom  *widget.Entry
	quietUntil *widget.Entry
	urgent     *widget.Check
	coalesce   *widget.Check
	after      *widget.Select
	sound      *widget.Check
	startLogin *widget.Check
	language   *widget.Select
	message    *widget.Label
	save       *widget.Button
	cancel     *widget.Button
	content    fyne.CanvasObject

	loaded bool
	busy   bool
}

// NewSettingsView returns the view, disabled until the first SetSettings;
// cancel runs when the user cancels.
func NewSettingsView(send func(ipc.Message), cancel func()) *SettingsView {
	v := &SettingsView{send: send}
	v.ExtendBaseWidget(v)
	v.problem = widget.NewLabel("")
	v.problem.Importance = widget.WarningImportance
	v.problem.Wrapping = fyne.TextWrapWord
	v.problem.Hide()
	v.dnd = widget.NewLabel("")
	v.dnd.Hide()
	v.priority = widget.NewSelect(priorityOptions(), nil)
	v.quiet = widget.NewCheck(txtQuietHours.String(), nil)
	v.quietFrom = widget.NewEntry()
	v.quietFrom.SetPlaceHolder("22:00")
	v.quietUntil = widget.NewEntry()
	v.quietUntil.SetPlaceHolder("07:00")
	v.urgent = widget.NewCheck(txtUrgentBreaks.String(), nil)
	v.coalesce = widget.NewCheck(txtCoalesce.String(), nil)
	v.after = widget.NewSelect(nil, nil)
	v.sound = widget.NewCheck(txtSound.String(), nil)
	v.startLogin = widget.NewCheck(txtStartAtLogin.String(), nil)
	var langs []string
	for _, l := range settings.Languages {
		langs = append(langs, languageNames[l].String())
	}
	v.language = widget.NewSelect(langs, nil)
	v.message = widget.NewLabel(txtSettingsLoading.String())
	v.message.Wrapping = fyne.TextWrapWord
	v.save = widget.NewButton(txtSave.String(), v.Save)
	v.save.Importance = widget.HighImportance
	v.cancel = widget.NewButton(txtCancel.String(), cancel)
	hint := widget.NewLabel(txtPopupsFromHint.String())
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance

	v.content = container.NewVBox(
		v.problem,
		container.NewBorder(nil, nil, widget.NewLabel(txtPopupsFrom.String()), nil, v.priority),
		hint,
		widget.NewSeparator(),
		container.NewHBox(v.quiet, widget.NewLabel(txtQuietFrom.String()), sized(v.quietFrom), widget.NewLabel(txtQuietUntil.String()), sized(v.quietUntil)),
		v.urgent,
		v.dnd,
		widget.NewSeparator(),
		container.NewHBox(v.coalesce, v.after, widget.NewLabel(txtCoalescePopups.String())),
		v.sound,
		v.startLogin,
		container.NewBorder(nil, nil, widget.NewLabel(txtLanguage.String()), nil, v.language),
		v.message,
		layout.NewSpacer(),
		container.NewHBox(layout.NewSpacer(), v.cancel, v.save),
	)
	v.setEnabled(false)
	return v
}

// sized gives a time entry room for "00:00".
func sized(e *widget.Entry) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(80, e.MinSize().Height), e)
}

func priorityOptions() []string {
	opts := make([]string, 0, settings.MaxPriority)
	for p := settings.MinPriority; p <= settings.MaxPriority; p++ {
		switch p {
		case settings.MinPriority:
			opts = append(opts, txtPriorityAll.String())
		case settings.MaxPriority:
			opts = append(opts, txtPriorityUrgent.String())
		default:
			opts = append(opts, strconv.Itoa(p))
		}
	}
	return opts
}

// CreateRenderer is part of fyne.Widget.
func (v *SettingsView) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewPadded(v.content))
}

// SetSettings shows st. The fields are filled from the first one only: a
// later one (do not disturb turned on from the menu) must not undo what the
// user is typing; its problem and do-not-disturb lines are shown.
func (v *SettingsView) SetSettings(st ipc.SettingsState) {
	v.problem.SetText(st.Problem)
	setVisible(v.problem, st.Problem != "")
	if st.DoNotDisturbUntil.IsZero() {
		v.dnd.Hide()
	} else {
		v.dnd.SetText(txtDoNotDisturbUntil.F(st.DoNotDisturbUntil.Local().Format("15:04")))
		v.dnd.Show()
	}
	if v.loaded {
		return
	}
	v.loaded = true
	v.SetValues(st.SettingsValues)
	v.message.SetText("")
	v.setEnabled(true)
}

// SetValues fills the fields.
func (v *SettingsView) SetValues(s ipc.SettingsValues) {
	v.priority.SetSelectedIndex(min(max(s.MinPriority, settings.MinPriority), settings.MaxPriority) - settings.MinPriority)
	v.quiet.SetChecked(s.QuietHours)
	v.quietFrom.SetText(s.QuietFrom)
	v.quietUntil.SetText(s.QuietUntil)
	v.urgent.SetChecked(s.UrgentBreaksThrough)
	v.coalesce.SetChecked(s.Coalesce)
	choices := slices.Clone(coalesceChoices)
	if s.CoalesceAfter > 0 && !slices.Contains(choices, s.CoalesceAfter) {
		choices = append(choices, s.CoalesceAfter)
		slices.Sort(choices)
	}
	v.after.Options = nil
	for _, n := range choices {
		v.after.Options = append(v.after.Options, strconv.Itoa(n))
	}
	v.after.SetSelected(strconv.Itoa(s.CoalesceAfter))
	v.sound.SetChecked(s.Sound)
	v.startLogin.SetChecked(s.StartAtLogin)
	v.language.SetSelectedIndex(max(slices.Index(settings.Languages, s.Language), 0))
}

// Values reads the fields; the error names what is not a valid value.
func (v *SettingsView) Values() (ipc.SettingsValues, error) {
	s := ipc.SettingsValues{
		MinPriority:         v.priority.SelectedIndex() + settings.MinPriority,
		QuietHours:          v.quiet.Checked,
		QuietFrom:           v.quietFrom.Text,
		QuietUntil:          v.quietUntil.Text,
		UrgentBreaksThrough: v.urgent.Checked,
		Coalesce:            v.coalesce.Checked,
		Sound:               v.sound.Checked,
		StartAtLogin:        v.startLogin.Checked,
	}
	if i := v.language.SelectedIndex(); i >= 0 {
		s.Language = settings.Languages[i]
	}
	s.CoalesceAfter, _ = strconv.Atoi(v.after.Selected)
	from, err1 := settings.ParseClockTime(s.QuietFrom)
	until, err2 := settings.ParseClockTime(s.QuietUntil)
	if errors.Join(err1, err2) != nil {
		return s, errors.New(txtBadQuietTime.String())
	}
	s.QuietFrom, s.QuietUntil = from.String(), until.String() // "7:00" as "07:00"
	return s, nil
}

// Save sends the settings to the agent, unless a field is not valid; the
// view waits for ShowResult.
func (v *SettingsView) Save() {
	if !v.loaded || v.busy {
		return
	}
	s, err := v.Values()
	if err != nil {
		v.message.Importance = widget.DangerImportance
		v.message.SetText(err.Error())
		return
	}
	v.busy = true
	v.setEnabled(false)
	v.message.SetText("")
	v.send(ipc.SaveSettings{SettingsValues: s})
}

// ShowResult shows the agent's answer to Save; the session closes the
// window after an OK one.
func (v *SettingsView) ShowResult(r ipc.SettingsResult) {
	v.busy = false
	v.setEnabled(true)
	if !r.OK {
		v.message.Importance = widget.DangerImportance
		v.message.SetText(r.Error)
	}
}

func (v *SettingsView) setEnabled(on bool) {
	for _, w := range []fyne.Disableable{v.priority, v.quiet, v.quietFrom, v.quietUntil, v.urgent, v.coalesce, v.after, v.sound, v.startLogin, v.language, v.save} {
		if on {
			w.Enable()
		} else {
			w.Disable()
		}
	}
}

// SettingsSession is the settings window of a window process, as Session
// is for the other views: it asks the agent for the settings, applies the
// agent's messages, and closes after a save the agent took. Its methods
// run on the Fyne goroutine.
type SettingsSession struct {
	app    fyne.App
	win    fyne.Window
	send   func(ipc.Message)
	view   *SettingsView
	closed bool
}

// NewSettingsSession makes a's settings window and asks the agent for the
// settings. Ctrl+S saves, Escape cancels. The caller shows the window.
func NewSettingsSession(a fyne.App, send func(ipc.Message)) *SettingsSession {
	s := &SettingsSession{app: a, send: send}
	s.view = NewSettingsView(send, s.closedByUser)
	s.win = a.NewWindow(titleSettings.String())
	s.win.SetContent(s.view)
	s.win.Resize(fyne.NewSize(520, 460).Max(s.view.MinSize()))
	s.win.SetCloseIntercept(s.closedByUser)
	s.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { s.view.Save() })
	s.win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			s.closedByUser()
		}
	})
	send(ipc.GetSettings{})
	return s
}

// Window is the session's window, for the caller to show.
func (s *SettingsSession) Window() fyne.Window { return s.win }

// View is the settings view, for tests.
func (s *SettingsSession) View() *SettingsView { return s.view }

// Handle applies one message from the agent.
func (s *SettingsSession) Handle(m ipc.Message) {
	switch m := m.(type) {
	case ipc.SettingsState:
		first := !s.view.loaded
		s.view.SetSettings(m)
		if first {
			s.win.Canvas().Focus(s.view.priority) // enabled now: keys go to it
		}
	case ipc.SettingsResult:
		s.view.ShowResult(m)
		if m.OK {
			s.Close()
		}
	case ipc.Close:
		s.Close()
	}
}

// Close ends the window without sending ipc.Closed, as Session.Close does
// and for the same reason.
func (s *SettingsSession) Close() {
	if s.closed {
		return
	}
	s.closed = true
	s.app.Driver().Quit()
}

func (s *SettingsSession) closedByUser() {
	if !s.closed {
		s.send(ipc.Closed{})
	}
	s.Close()
}
