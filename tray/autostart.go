package tray

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"tasktray/autostart"
	"tasktray/i18n"
	"tasktray/internal/binpath"
	"tasktray/notify"
)

// appID names the start-at-login entry; it is FyneApp.toml's ID and
// window.AppID, which the agent does not import (it links no Fyne).
const appID = "io.github.tasktray"

// What the popup says when a change fails; its body is the error, which
// names the entry (a path or a registry key) and the cause.
var (
	msgStartAtLoginOnFailed  = i18n.New("tray.start_at_login.on_failed", "tasktray cannot start at login", "无法设置 tasktray 登录时启动")
	msgStartAtLoginOffFailed = i18n.New("tray.start_at_login.off_failed", "tasktray cannot stop starting at login", "无法取消 tasktray 登录时启动")
)

// startAtLogin is the agent's side of the start-at-login entry. The entry
// is the truth: on at first login unless the user chose off before, and
// an Off entry (the user's click, or the desktop's own settings) stays off
// until the user turns it on. Reads and writes run on the disk peer, one
// at a time and in order; the newest request's answer sets what the menu
// shows.
type startAtLogin struct {
	// open makes the entry; nil uses newStartAtLoginEntry. Set once, on
	// the loop, before the first request.
	open func() (autostart.Entry, error)
	on   bool // what the menu shows
	gen  int  // the newest request; an answer to an older one only logs
}

// newStartAtLoginEntry makes the entry; tests replace it.
var newStartAtLoginEntry = defaultStartAtLoginEntry

// defaultStartAtLoginEntry is the entry for this desktop, starting the
// tasktray binary the user starts, with no flags: /usr/bin/tasktray in a
// packaged install, also when this agent runs as tasktray-agent from
// /usr/lib/tasktray (binpath.Window finds it).
func defaultStartAtLoginEntry() (autostart.Entry, error) {
	self, err := binpath.Self()
	if err != nil {
		return nil, err
	}
	return autostart.New(autostart.App{ID: appID, Name: "tasktray", Command: binpath.Window(self)})
}

// offeredFile, in Config.StateDir, records that the first login's default
// was applied (or a choice made): a desktop whose settings delete the entry
// instead of hiding it (KDE's Remove, GNOME Tweaks) leaves no Off entry
// behind, and the next login must not put it back.
const offeredFile = "start-at-login-offered"

// autostartDone is the disk peer's answer: the entry's state after the
// request, and what went wrong.
type autostartDone struct {
	gen   int
	state autostart.State
	// change is the user's change that failed (with err), nil for a read
	// or the first login's default.
	change *bool
	err    error
}

// readStartAtLogin reads the entry at start, for the menu's check mark.
func (a *Agent) readStartAtLogin() {
	a.startAtLoginRequest(nil, func(e autostart.Entry) error { return nil })
}

// toggleStartAtLogin turns "Start at login" on or off, from the menu.
func (a *Agent) toggleStartAtLogin() { a.setStartAtLogin(!a.autostart.on) }

// setStartAtLogin turns start at login on or off: the user's choice, from
// the menu or the settings window. The menu shows it at once; if the write
// fails, a popup says why and the menu goes back to what the entry says.
func (a *Agent) setStartAtLogin(on bool) {
	a.autostart.on = on
	a.render()
	stateDir := a.cfg.StateDir
	a.startAtLoginRequest(&on, func(e autostart.Entry) error {
		var err error
		if on {
			err = e.Enable()
		} else {
			err = e.Disable()
		}
		if err == nil {
			markOffered(stateDir) // a choice: the first login's default is moot
		}
		return err
	})
}

// startAtLoginAfterFirstLogin turns start at login on after the first
// successful login, unless the user turned it off before: an Off entry, or
// a record that the default was applied once, whatever the entry says now.
// Demo mode and an agent that keeps no state (StateDir "") never do: a
// trial run must not add itself to the user's login.
func (a *Agent) startAtLoginAfterFirstLogin() {
	stateDir := a.cfg.StateDir
	if a.cfg.Login != nil || stateDir == "" {
		return
	}
	log := a.log
	a.startAtLoginRequest(nil, func(e autostart.Entry) error {
		if offered(stateDir) {
			return nil
		}
		st, err := e.Status()
		switch {
		case err != nil && !errors.Is(err, autostart.ErrDamaged):
			return err // unreadable: try again at the next login
		case st == autostart.Absent || st == autostart.Damaged:
			if err != nil {
				log.Warn("replacing a damaged start-at-login entry", "err", err)
			}
			if err := e.Enable(); err != nil {
				return err
			}
			log.Info("tasktray now starts at login; turn it off in the tray menu", "entry", e.String())
		}
		markOffered(stateDir)
		return nil
	})
}

// startAtLoginRequest runs change on the disk peer, then reads the entry;
// autostartDone answers.
func (a *Agent) startAtLoginRequest(change *bool, do func(autostart.Entry) error) {
	if a.autostart.open == nil {
		a.autostart.open = newStartAtLoginEntry
	}
	a.autostart.gen++
	gen, open := a.autostart.gen, a.autostart.open
	a.disk.do(func(context.Context) any {
		e, err := open()
		if err != nil {
			return autostartDone{gen: gen, change: change, err: err}
		}
		err = do(e)
		st, readErr := e.Status()
		if err == nil {
			err = readErr // a damaged entry is worth a line in the log
		}
		return autostartDone{gen: gen, state: st, change: change, err: err}
	})
}

func (a *Agent) onAutostartDone(ev autostartDone) {
	if ev.err != nil {
		a.log.Warn("start at login", "err", ev.err)
		if ev.change != nil {
			msg := msgStartAtLoginOffFailed
			if *ev.change {
				msg = msgStartAtLoginOnFailed
			}
			a.popup(notify.Popup{ID: "start-at-login", Title: msg.String(), Body: ev.err.Error(), Important: true})
		}
	}
	if ev.gen != a.autostart.gen {
		return // a newer request is on its way; its answer decides
	}
	if on := ev.state == autostart.On; on != a.autostart.on {
		a.autostart.on = on
		a.render()
	}
}

func offered(stateDir string) bool {
	_, err := os.Stat(filepath.Join(stateDir, offeredFile))
	return err == nil || !errors.Is(err, fs.ErrNotExist) // unreadable: do not risk turning it on
}

// markOffered records that the first login's default is done. Failing
// only means the default may be offered again, to an entry that is there.
func markOffered(stateDir string) {
	if stateDir == "" {
		return
	}
	if err := os.MkdirAll(stateDir, 0o700); err == nil {
		os.WriteFile(filepath.Join(stateDir, offeredFile), []byte("start at login was set once; the entry holds the choice\n"), 0o600)
	}
}
