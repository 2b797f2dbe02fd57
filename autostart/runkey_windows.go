package autostart

import (
	"encoding/binary"
	"errors"
	"path/filepath"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"

	"tasktray/i18n"
)

// CurrentVersion is the HKCU key under which Explorer reads Run and
// Explorer\StartupApproved\Run at login.
const CurrentVersion = `Software\Microsoft\Windows\CurrentVersion`

var msgNotString = i18n.New("autostart.run.not_string", "the Run value is not a string", "Run 值不是字符串")

// RunKey is app's value named app.Name under HKCU\<base>\Run; New passes
// CurrentVersion, tests a key of their own.
//
// Off is the mark Task Manager and Settings > Apps > Startup write when the
// user turns an app off there: a binary value of the same name under
// <base>\Explorer\StartupApproved\Run whose first byte is odd (03, then the
// time it was turned off), while the Run value stays. Disable writes the
// same mark, so Task Manager shows tasktray off too, and Windows honours
// it at login. Enable removes the mark; no mark means "on".
func RunKey(base string, app App) Entry {
	return &runKey{app: app, run: base + `\Run`, approved: base + `\Explorer\StartupApproved\Run`}
}

type runKey struct {
	app           App
	run, approved string
}

func (e *runKey) String() string { return `HKCU\` + e.run + `\` + e.app.Name }

func (e *runKey) Status() (State, error) {
	cmd, cmdErr := readString(e.run, e.app.Name)
	if cmdErr != nil && !errors.Is(cmdErr, registry.ErrNotExist) && !errors.Is(cmdErr, registry.ErrUnexpectedType) {
		return Absent, msgRead.Err(e.String(), cmdErr)
	}
	off, err := e.markedOff()
	if err != nil {
		return Absent, msgRead.Err(e.String(), err)
	}
	switch {
	case off:
		// Off even without a Run value: the mark outlives a Run value
		// that someone deleted, and it is the user's choice.
		return Off, nil
	case errors.Is(cmdErr, registry.ErrNotExist):
		return Absent, nil
	case errors.Is(cmdErr, registry.ErrUnexpectedType):
		return Damaged, damaged(e.String(), msgNotString.String())
	case cmd == "":
		return Damaged, damaged(e.String(), msgNoProgram.String())
	}
	return On, nil
}

// markedOff reads the StartupApproved mark: an odd first byte is off.
func (e *runKey) markedOff() (bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, e.approved, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer k.Close()
	mark, _, err := k.GetBinaryValue(e.app.Name)
	if errors.Is(err, registry.ErrNotExist) || errors.Is(err, registry.ErrUnexpectedType) {
		return false, nil // no mark, or one Explorer would not read either
	}
	if err != nil {
		return false, err
	}
	return len(mark) > 0 && mark[0]&1 == 1, nil
}

func (e *runKey) Enable() error {
	if err := e.setRun(); err != nil {
		return err
	}
	k, err := registry.OpenKey(registry.CURRENT_USER, e.approved, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return msgWrite.Err(e.String(), err)
	}
	defer k.Close()
	if err := k.DeleteValue(e.app.Name); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return msgWrite.Err(e.String(), err)
	}
	return nil
}

func (e *runKey) Disable() error {
	if err := e.setRun(); err != nil {
		return err
	}
	k, _, err := registry.CreateKey(registry.CURRENT_USER, e.approved, registry.SET_VALUE)
	if err != nil {
		return msgWrite.Err(e.String(), err)
	}
	defer k.Close()
	// 03 00 00 00, then when it was turned off as a FILETIME, as Task
	// Manager writes it.
	mark := make([]byte, 12)
	mark[0] = 3
	ft := windows.NsecToFiletime(time.Now().UnixNano())
	binary.LittleEndian.PutUint32(mark[4:], ft.LowDateTime)
	binary.LittleEndian.PutUint32(mark[8:], ft.HighDateTime)
	if err := k.SetBinaryValue(e.app.Name, mark); err != nil {
		return msgWrite.Err(e.String(), err)
	}
	return nil
}

// setRun writes the Run value: the program's path in double quotes, as
// Explorer needs for a path with spaces. A registry value is replaced in
// one step: there is no half-written state to guard against.
func (e *runKey) setRun() error {
	if err := e.app.check(filepath.IsAbs); err != nil {
		return msgWrite.Err(e.String(), err)
	}
	k, _, err := registry.CreateKey(registry.CURRENT_USER, e.run, registry.SET_VALUE)
	if err != nil {
		return msgWrite.Err(e.String(), err)
	}
	defer k.Close()
	if err := k.SetStringValue(e.app.Name, `"`+e.app.Command+`"`); err != nil {
		return msgWrite.Err(e.String(), err)
	}
	return nil
}

// readString reads a REG_SZ or REG_EXPAND_SZ value.
func readString(key, name string) (string, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, key, registry.QUERY_VALUE)
	if err != nil {
		return "", err
	}
	defer k.Close()
	v, _, err := k.GetStringValue(name)
	return v, err
}
