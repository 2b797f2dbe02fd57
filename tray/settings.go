package tray

import (
	"context"
	"errors"
	"time"

	"tasktray/i18n"
	"tasktray/ipc"
	"tasktray/notify"
	"tasktray/settings"
)

// What the agent says about the settings file.
var (
	msgSettingsDamagedTitle = i18n.New("tray.settings.damaged.title",
		"tasktray: the settings file is damaged",
		"tasktray：设置文件已损坏")
	// takes the error, which names the file and what is wrong in it
	msgSettingsDamagedBody = i18n.New("tray.settings.damaged.body",
		"%v. The default settings are in use. Fix the file, or save new settings in Settings… (the damaged file is kept beside the new one).",
		"%v。当前使用默认设置。请修正该文件，或在“设置…”中保存新设置（损坏的文件会保留在新文件旁边）。")
	msgSettingsUnreadable = i18n.New("tray.settings.unreadable",
		"The settings file cannot be read (%v). The default settings are in use.",
		"无法读取设置文件（%v）。当前使用默认设置。")
	// takes the reason
	msgSettingsNotSaved = i18n.New("tray.settings.not_saved",
		"The settings are in force but could not be saved: %v",
		"设置已生效，但无法保存：%v")
	// takes what is wrong
	msgSettingsInvalid = i18n.New("tray.settings.invalid",
		"These settings cannot be used: %v",
		"这些设置无法使用：%v")
)

// prefs is the agent's side of the settings: what is in force, where it is
// kept, and the clock quiet hours and do not disturb run by. Owned by the
// Run goroutine.
type prefs struct {
	s settings.Settings
	// path is the settings file; "" keeps the settings in memory only
	// (demo mode).
	path string
	// problem, when not empty, says the file is damaged: the defaults are
	// in force, and nothing but a save from the settings window replaces
	// the file (which keeps the damaged one beside it).
	problem string
	// now is the clock; nil means time.Now. Tests jump it.
	now func() time.Time
	// post hands an event to the loop from a timer (nil before Run).
	post func(ev any)
	// wake re-renders when quiet hours or do not disturb begin or end.
	wake *time.Timer
	// lang is the language last set, to tell windows only of a change.
	lang string
	// loaded is true once the file was read: a save before then would
	// overwrite it with the defaults.
	loaded bool
}

// settingsEvent is what the disk peer and timers hand the loop about the
// settings; onEvent calls handle.
type settingsEvent interface {
	handle(ctx context.Context, a *Agent)
}

type (
	settingsLoaded struct {
		s   settings.Settings
		err error
	}
	settingsSaved struct {
		view   string // the window that asked, "" for none
		keptAs string // where the damaged file went
		err    error
	}
	quietChanged struct{}
)

// coalescerConfig is the part of notify.Coalescer the settings drive.
type coalescerConfig interface {
	SetEnabled(on bool)
	SetMax(n int)
	Config() (enabled bool, max int)
}

func (a *Agent) now() time.Time {
	if a.prefs.now != nil {
		return a.prefs.now()
	}
	return time.Now()
}

// defaultSettings are settings.Defaults, but for coalescing, which starts
// as the command line set it (-coalesce=false) until a settings file says.
func (a *Agent) defaultSettings() settings.Settings {
	s := settings.Defaults()
	if c, ok := a.cfg.Popups.(coalescerConfig); ok {
		s.Coalesce, s.CoalesceAfter = c.Config()
	}
	return s
}

// loadSettings puts the defaults in force and reads the settings file on
// the disk peer; they apply when it answers.
func (a *Agent) loadSettings(ctx context.Context) {
	a.prefs.post = func(ev any) {
		select {
		case a.events <- ev:
		case <-ctx.Done():
		}
	}
	a.prefs.s = a.defaultSettings()
	if a.cfg.AccountPath == "" {
		a.applySettings()
		return
	}
	path := settings.Path(a.cfg.AccountPath)
	a.prefs.path = path
	defaults := a.prefs.s
	a.disk.do(func(context.Context) any {
		s, err := settings.Load(path, defaults)
		return settingsLoaded{s: s, err: err}
	})
}

func (ev settingsLoaded) handle(_ context.Context, a *Agent) {
	if ev.err != nil {
		a.log.Warn("settings: using the defaults", "err", ev.err)
		body := msgSettingsUnreadable.F(ev.err)
		if errors.Is(ev.err, settings.ErrDamaged) {
			body = msgSettingsDamagedBody.F(ev.err)
		}
		a.prefs.problem = body
		a.popup(notify.Popup{ID: "settings", Title: msgSettingsDamagedTitle.String(), Body: body, Important: true})
	}
	a.prefs.loaded = true
	// "Do not disturb" chosen from the menu before the file was read wins.
	dnd := a.prefs.s.DoNotDisturbUntil
	if !dnd.IsZero() {
		ev.s.DoNotDisturbUntil = dnd
	}
	a.prefs.s = ev.s
	a.applySettings()
	if !dnd.IsZero() {
		a.saveSettings("", false)
	}
}

// applySettings puts a.prefs.s in force: the coalescer, the language, the
// quiet timer, the menu and the settings window.
func (a *Agent) applySettings() {
	s := a.prefs.s
	if c, ok := a.cfg.Popups.(coalescerConfig); ok {
		c.SetEnabled(s.Coalesce)
		c.SetMax(s.CoalesceAfter)
	}
	if s.Language != a.prefs.lang {
		a.prefs.lang = s.Language
		i18n.SetLanguage(s.Language)
		for view := range a.windows {
			a.sendTo(view, ipc.Language{Language: s.Language})
		}
	}
	a.armQuietTimer()
	a.sendTo(ipc.ViewSettings, a.settingsState())
	a.render()
}

// saveSettings keeps a.prefs.s on disk, and answers view (if any) once it
// is there. A damaged file is replaced only by a save from the window
// (fromWindow); a do not disturb click then holds in memory only.
func (a *Agent) saveSettings(view string, fromWindow bool) {
	if a.prefs.path == "" || (a.prefs.problem != "" || !a.prefs.loaded) && !fromWindow {
		if view != "" {
			a.sendTo(view, ipc.SettingsResult{OK: true})
		}
		return
	}
	path, s := a.prefs.path, a.prefs.s
	a.disk.do(func(context.Context) any {
		kept, err := settings.Save(path, s)
		return settingsSaved{view: view, keptAs: kept, err: err}
	})
}

func (ev settingsSaved) handle(_ context.Context, a *Agent) {
	if ev.keptAs != "" {
		a.log.Warn("settings: the damaged settings file was kept", "as", ev.keptAs)
	}
	if ev.err != nil {
		a.log.Error("settings: not saved", "err", ev.err)
		if ev.view != "" {
			a.sendTo(ev.view, ipc.SettingsResult{Error: msgSettingsNotSaved.F(ev.err)})
		}
		return
	}
	if ev.view != "" {
		a.prefs.problem = ""
		a.sendTo(ev.view, ipc.SettingsResult{OK: true})
	}
}

// onSettingsMsg answers the settings window.
func (a *Agent) onSettingsMsg(view string, m ipc.Message) {
	switch m := m.(type) {
	case ipc.GetSettings:
		a.sendTo(view, a.settingsState())
	case ipc.SaveSettings:
		s, err := a.fromWindow(m.SettingsValues)
		if err != nil {
			a.sendTo(view, ipc.SettingsResult{Error: msgSettingsInvalid.F(err)})
			return
		}
		if m.StartAtLogin != a.autostart.on {
			a.setStartAtLogin(m.StartAtLogin) // the entry is its own file: autostart.go
		}
		a.prefs.s = s
		a.applySettings()
		a.saveSettings(view, true)
	}
}

// settingsState is what the settings window shows.
func (a *Agent) settingsState() ipc.SettingsState {
	s := a.prefs.s
	st := ipc.SettingsState{
		SettingsValues: ipc.SettingsValues{
			MinPriority:         s.MinPriority,
			QuietHours:          s.QuietHours,
			QuietFrom:           s.QuietFrom.String(),
			QuietUntil:          s.QuietUntil.String(),
			UrgentBreaksThrough: s.UrgentBreaksThrough,
			Coalesce:            s.Coalesce,
			CoalesceAfter:       s.CoalesceAfter,
			Sound:               s.Sound,
			StartAtLogin:        a.autostart.on,
			Language:            s.Language,
		},
		Problem: a.prefs.problem,
	}
	if s.DoNotDisturb(a.now()) {
		st.DoNotDisturbUntil = s.DoNotDisturbUntil
	}
	return st
}

// fromWindow is the settings in force with the window's values: the keys
// the window does not show (do not disturb, unknown keys) stay.
func (a *Agent) fromWindow(v ipc.SettingsValues) (settings.Settings, error) {
	s := a.prefs.s
	from, err1 := settings.ParseClockTime(v.QuietFrom)
	until, err2 := settings.ParseClockTime(v.QuietUntil)
	if err := errors.Join(err1, err2); err != nil {
		return s, err
	}
	s.MinPriority, s.QuietHours, s.QuietFrom, s.QuietUntil = v.MinPriority, v.QuietHours, from, until
	s.UrgentBreaksThrough, s.Coalesce, s.CoalesceAfter = v.UrgentBreaksThrough, v.Coalesce, v.CoalesceAfter
	s.Sound, s.Language = v.Sound, v.Language
	return s, s.Validate()
}

func (quietChanged) handle(_ context.Context, a *Agent) {
	a.armQuietTimer()
	a.sendTo(ipc.ViewSettings, a.settingsState())
	a.render()
}
