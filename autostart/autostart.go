package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"tasktray/i18n"
)

// App names what starts at login and how.
type App struct {
	// ID is the reverse-DNS app ID ("io.github.tasktray"): it names the
	// .desktop file and the LaunchAgent's label and file, so the desktop
	// ties the entry to the app's icon and .desktop file.
	ID string
	// Name is what the desktop's start-up list shows, and the name of
	// the Windows Run value.
	Name string
	// Command is the absolute path of the program, started with no
	// arguments.
	Command string
}

// State is whether an app starts at login.
type State int

const (
	// Absent: there is no entry. No one chose anything yet.
	Absent State = iota
	// On: the app starts at login.
	On
	// Off: an entry is there but turned off, by Disable or by the
	// desktop's settings. The user chose it; an app must not undo it by
	// itself.
	Off
	// Damaged: an entry is there but cannot be read. Status says why, in
	// an error that wraps ErrDamaged; Enable and Disable replace it.
	Damaged
)

func (s State) String() string {
	switch s {
	case Absent:
		return "absent"
	case On:
		return "on"
	case Off:
		return "off"
	case Damaged:
		return "damaged"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Entry is one app's start-at-login entry. Its methods block on the disk
// or the registry and are safe for concurrent use only in that the
// platform makes each write atomic; callers serialize their changes.
type Entry interface {
	// Status reads the entry. An error that wraps ErrDamaged comes with
	// Damaged; any other error means the entry could not be read at all.
	Status() (State, error)
	// Enable writes an entry that starts the app at login, replacing
	// what was there (an Off or Damaged entry too).
	Enable() error
	// Disable writes an entry that is there but off: the user's choice,
	// kept where the desktop's own settings keep theirs.
	Disable() error
	// String names where the entry lives, for messages.
	String() string
}

// ErrDamaged is wrapped by the error Status returns with Damaged.
var ErrDamaged = i18n.NewError("autostart.damaged", "the start-at-login entry is damaged", "登录时启动条目已损坏")

// What the package says when something fails; the arguments are where the
// entry lives (a path or a registry key) and the cause.
var (
	msgRead        = i18n.New("autostart.read", "cannot read the start-at-login entry %s: %w", "无法读取登录时启动条目 %s：%w")
	msgWrite       = i18n.New("autostart.write", "cannot write the start-at-login entry %s: %w", "无法写入登录时启动条目 %s：%w")
	msgDamagedAt   = i18n.New("autostart.damaged_at", "%s: %w: %s", "%s：%w：%s")
	msgNotAbsolute = i18n.New("autostart.not_absolute", "the program path %q is not absolute", "程序路径 %q 不是绝对路径")
	msgBadPath     = i18n.New("autostart.bad_path", "the program path %q holds a control character", "程序路径 %q 含有控制字符")
	msgPathNotUTF8 = i18n.New("autostart.path_not_utf8", "the program path %q is not valid UTF-8, which a start-at-login entry must be; move the program to a folder whose name is UTF-8", "程序路径 %q 不是有效的 UTF-8，而登录时启动条目必须是 UTF-8；请将程序移到名称为 UTF-8 的文件夹中")
	msgNoApp       = i18n.New("autostart.no_app", "the app ID and name must not be empty", "应用 ID 和名称不能为空")
	msgTemporary   = i18n.New("autostart.temporary", "this program runs from a temporary build (%s), which will be gone at the next login; build or install it first", "本程序运行自临时构建（%s），下次登录时该文件已不存在；请先构建或安装")
)

// damaged is the error Status returns with Damaged: where, and why.
func damaged(where, why string) error { return msgDamagedAt.Err(where, ErrDamaged, why) }

// check refuses an App no entry can be written for. isAbs is the entry's
// platform's test: XDG entries and LaunchAgents hold Unix paths whatever
// system writes them (path.IsAbs), the Run key a Windows one.
func (app App) check(isAbs func(string) bool) error {
	if app.ID == "" || app.Name == "" {
		return errors.New(msgNoApp.String())
	}
	if !isAbs(app.Command) {
		return errors.New(msgNotAbsolute.F(app.Command))
	}
	// A desktop entry and a plist are UTF-8 text, and the Run key is
	// UTF-16: a path in another encoding (a Latin-1 home directory on
	// Linux) would be written damaged and start nothing.
	if !utf8.ValidString(app.Command) {
		return errors.New(msgPathNotUTF8.F(app.Command))
	}
	for _, r := range app.Command {
		if r < 0x20 || r == 0x7f {
			return errors.New(msgBadPath.F(app.Command))
		}
	}
	if temporaryBuild(app.Command) {
		return errors.New(msgTemporary.F(app.Command))
	}
	return nil
}

// temporaryBuild reports a binary that "go run" or "go test" built in a
// go-build<digits> directory, which the go command deletes when it exits:
// an entry naming it would start nothing at the next login, so none is
// written.
func temporaryBuild(exe string) bool {
	isSep := func(r rune) bool { return r == '/' || r == '\\' }
	for _, dir := range strings.FieldsFunc(exe, isSep) {
		if n, ok := strings.CutPrefix(dir, "go-build"); ok && n != "" && strings.Trim(n, "0123456789") == "" {
			return true
		}
	}
	return false
}

// writeFileAtomic replaces path with data: written to a temporary file in
// the same directory, synced, then renamed, so that a reader (the desktop
// at login) sees the old file or the new one, never a part.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
